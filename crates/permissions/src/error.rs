//! The crate's one error type.

use core::fmt;

/// Who holds a set of grants: a principal (a contact, a user) or a role.
///
/// Errors name the holder so that a message points at the line of the policy to fix.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Holder {
    /// A principal, by id.
    Principal(String),
    /// A role, by id.
    Role(String),
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Holder::Principal(id) => write!(f, "principal '{id}'"),
            Holder::Role(id) => write!(f, "role '{id}'"),
        }
    }
}

/// The format of a policy or schema document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Toml => "TOML",
            Format::Json => "JSON",
        })
    }
}

/// Everything that can go wrong building a schema or a policy, or asking either a question.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is not well-formed TOML or JSON, or does not have the expected shape.
    #[error("the {format} document could not be read: {message}")]
    Parse {
        /// The format the document was read as.
        format: Format,
        /// The parser's message (with line and column where it gives them).
        message: String,
    },
    /// `schema = "..."` names a built-in schema that does not exist.
    #[error("there is no built-in schema '{name}' (built-in schemas: client-portal)")]
    UnknownBuiltinSchema {
        /// The name given.
        name: String,
    },
    /// An id is empty, too long, or contains whitespace or control characters.
    #[error(
        "the {kind} id {id:?} is not valid: ids are 1 to 128 characters without whitespace or control characters"
    )]
    InvalidId {
        /// What the id names: "resource", "action", "role" or "principal".
        kind: &'static str,
        /// The id as given.
        id: String,
    },
    /// The schema declares no actions.
    #[error(
        "the schema declares no actions: declare at least one (the default is view, create, update, delete)"
    )]
    NoActions,
    /// The schema declares more actions than a compiled policy can address.
    #[error("the schema declares {count} actions; at most {max} are supported")]
    TooManyActions {
        /// How many were declared.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The schema declares more resources than a policy can address.
    #[error("the schema declares {count} resources; at most {max} are supported")]
    TooManyResources {
        /// How many were declared.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The schema declares no resources.
    #[error("the schema declares no resources")]
    NoResources,
    /// Two actions share an id.
    #[error("the action '{id}' is declared twice")]
    DuplicateAction {
        /// The repeated id.
        id: String,
    },
    /// Two resources share an id.
    #[error("the resource '{id}' is declared twice")]
    DuplicateResource {
        /// The repeated id.
        id: String,
    },
    /// Two roles share an id.
    #[error("the role '{id}' is declared twice")]
    DuplicateRole {
        /// The repeated id.
        id: String,
    },
    /// Two principals share an id.
    #[error("the principal '{id}' is declared twice")]
    DuplicatePrincipal {
        /// The repeated id.
        id: String,
    },
    /// A resource names a parent that is not declared before it.
    #[error("the parent '{parent}' of resource '{resource}' is not declared before it")]
    UnknownParent {
        /// The resource.
        resource: String,
        /// The parent it names.
        parent: String,
    },
    /// A resource lists an action the schema does not declare.
    #[error(
        "the resource '{resource}' lists the action '{action}', which the schema does not declare"
    )]
    UndeclaredAction {
        /// The resource.
        resource: String,
        /// The action it lists.
        action: String,
    },
    /// A resource id that the schema does not know.
    #[error("unknown resource '{resource}'{}", in_holder(.holder))]
    UnknownResource {
        /// The id asked for.
        resource: String,
        /// The holder whose grants name it, if it came from a grant.
        holder: Option<Holder>,
    },
    /// An action id that the schema does not know.
    #[error("unknown action '{action}'{}", in_holder(.holder))]
    UnknownAction {
        /// The id asked for.
        action: String,
        /// The holder whose grants name it, if it came from a grant.
        holder: Option<Holder>,
    },
    /// The action does not apply to the resource (a "-" cell of the grid).
    #[error("the action '{action}' does not apply to resource '{resource}' (a \"-\" cell){}", in_holder(.holder))]
    NotApplicable {
        /// The resource.
        resource: String,
        /// The action.
        action: String,
        /// The holder whose grants name the cell, if it came from a grant.
        holder: Option<Holder>,
    },
    /// The same cell is set twice in one holder's grants (for example `view` and `View`).
    #[error("{holder} sets '{resource}: {action}' twice")]
    DuplicateGrant {
        /// Whose grants.
        holder: Holder,
        /// The resource.
        resource: String,
        /// The action.
        action: String,
    },
    /// A principal id that the policy does not know.
    #[error("unknown principal '{principal}'")]
    UnknownPrincipal {
        /// The id asked for.
        principal: String,
    },
    /// A role named by a principal or another role is not declared.
    #[error("{holder} names the role '{role}', which is not declared")]
    UnknownRole {
        /// The missing role.
        role: String,
        /// Who names it.
        holder: Holder,
    },
    /// Roles that include each other in a loop.
    #[error("the roles include each other in a cycle: {}", .cycle.join(" -> "))]
    RoleCycle {
        /// The cycle, first role repeated at the end (`a -> b -> a`).
        cycle: Vec<String>,
    },
    /// A compiled policy was patched from a policy with a different schema.
    #[error("the compiled policy was built for a different schema; compile it again")]
    SchemaMismatch,
}

fn in_holder(holder: &Option<Holder>) -> String {
    match holder {
        Some(holder) => format!(" in the grants of {holder}"),
        None => String::new(),
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// A TOML error as one line, `line L, column C: message` (the parser's own rendering
    /// spans several lines, with a snippet of the document).
    pub(crate) fn from_toml(text: &str, error: &toml::de::Error) -> Error {
        let message = error.message().trim().replace('\n', "; ");
        let message = match error.span() {
            Some(span) => {
                let before = text.get(..span.start).unwrap_or(text);
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!("line {line}, column {column}: {message}")
            }
            None => message,
        };
        Error::Parse {
            format: Format::Toml,
            message,
        }
    }
}
