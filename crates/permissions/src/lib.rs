#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod action;
mod compiled;
mod error;
mod grant;
mod grid;
mod id_map;
mod policy;
mod resolve;
mod schema;

pub use action::{ActionDef, ActionIndex, ActionSet, MAX_ACTIONS};
pub use compiled::CompiledPolicy;
pub use error::{Error, Format, Holder, Result};
pub use grant::{Effect, Grants, GrantsDef, Setting};
pub use grid::{Grid, GridCell, GridColumn, GridRow};
pub use id_map::IdMap;
pub use policy::{HolderDef, Policy, PolicyDocument, PrincipalIndex, RoleIndex, SchemaSource};
pub use resolve::{Decision, Explanation, Permission, Source};
pub use schema::{
    Cell, Gate, MAX_RESOURCES, Resource, ResourceDef, ResourceIndex, Schema, SchemaBuilder,
    SchemaDef,
};
