//! `countersign completions SHELL` and `countersign man`: shell completions and man
//! pages generated from the clap definitions, so they cannot drift from the command.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use clap_complete::Shell;

use crate::output;

/// Arguments of `countersign completions`.
#[derive(Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Arguments of `countersign man`.
#[derive(Args)]
pub(crate) struct ManArgs {
    /// Write countersign.1 and one page per subcommand (countersign-totp-code.1, ...)
    /// into this existing folder instead of printing countersign.1 on stdout.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Prints the completion script for `args.shell` on stdout.
pub(crate) fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = crate::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "countersign", &mut script);
    print(&script)
}

/// Prints the top man page on stdout, or writes every page into `args.dir`.
pub(crate) fn man(args: &ManArgs) -> anyhow::Result<ExitCode> {
    let command = crate::command();
    if let Some(dir) = &args.dir {
        clap_mangen::generate_to(command, dir)
            .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    print(&page)
}

/// Generated text, printed as is: it comes from our own definitions, not from input.
fn print(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    let text = std::str::from_utf8(bytes).context("the generated text is not UTF-8")?;
    output::say_own(text.trim_end())?;
    Ok(ExitCode::SUCCESS)
}
