//! Prints the permission grid of every principal of the example policy.
//!
//! `cargo run -p countersign-permissions --example grid`

use countersign_permissions::Policy;

fn main() -> Result<(), countersign_permissions::Error> {
    let policy = Policy::from_toml(include_str!("portal.toml"))?;
    for (_, id) in policy.principals() {
        println!("{id}\n{}", policy.grid(id)?);
    }
    Ok(())
}
