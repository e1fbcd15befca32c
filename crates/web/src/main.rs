//! `countersign-web`: the portal on 127.0.0.1:8080. See the crate README.

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = countersign_web::Config::parse();
    // Logs to stderr; stdout carries only the URL and the demo logins.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colors for a terminal, plain text for a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    countersign_web::run(config).await
}
