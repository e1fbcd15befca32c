//! The permission grid of the seeds' "Edit Contact > Permissions" screen.

use core::fmt;

use serde::Serialize;

use crate::error::Result;
use crate::grant::Effect;
use crate::policy::{Policy, PrincipalIndex};
use crate::resolve::Decision;

/// One cell of the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum GridCell {
    /// The principal sets this cell: shown plain, `Allow` or `Deny`.
    Explicit(Effect),
    /// The principal leaves this cell as Inherit: shown as the effective value in
    /// parentheses, `(Allow)`, `(Deny)` or `(None)`.
    Inherited(Decision),
    /// The action does not apply to the resource: shown as `-`.
    NotApplicable,
}

impl GridCell {
    /// The text of the cell as the seeds show it.
    pub fn label(self) -> &'static str {
        match self {
            GridCell::Explicit(Effect::Allow) => "Allow",
            GridCell::Explicit(Effect::Deny) => "Deny",
            GridCell::Inherited(Decision::Allow) => "(Allow)",
            GridCell::Inherited(Decision::Deny) => "(Deny)",
            GridCell::Inherited(Decision::None) => "(None)",
            GridCell::NotApplicable => "-",
        }
    }

    /// The effective decision, `None` for a "-" cell.
    pub fn decision(self) -> Option<Decision> {
        match self {
            GridCell::Explicit(effect) => Some(effect.into()),
            GridCell::Inherited(decision) => Some(decision),
            GridCell::NotApplicable => None,
        }
    }
}

impl fmt::Display for GridCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.label())
    }
}

/// One resource row of the grid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GridRow {
    /// The resource id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The depth in the tree (0 for the root).
    pub depth: u32,
    /// Whether the resource has children (the row the seeds show with an arrow).
    pub has_children: bool,
    /// One cell per column.
    pub cells: Vec<GridCell>,
}

/// A column heading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GridColumn {
    /// The action id.
    pub id: String,
    /// The heading (`View`).
    pub name: String,
}

/// The grid of one principal: rows are resources (depth-first), columns are actions.
///
/// `Display` renders it as text like the seeds' screen; `Serialize` gives the data for a
/// web page.
///
/// ```
/// use countersign_permissions::Policy;
///
/// let policy = Policy::from_toml(r#"
///     schema = "client-portal"
///     [principals.contact-3523]
///     grants.client-profile.view = "allow"
/// "#).unwrap();
/// let grid = policy.grid("contact-3523").unwrap();
/// let text = grid.to_string();
/// assert!(text.contains("Client Portal                       (None)   (None)   (None)   (None)"));
/// assert!(text.contains("▼ Client Profile                    Allow    (None)   (None)   (None)"));
/// assert!(text.contains("    Change Password                 (Allow)  -        (None)   -"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grid {
    /// The principal's id.
    pub principal: String,
    /// The columns.
    pub columns: Vec<GridColumn>,
    /// The rows, depth-first.
    pub rows: Vec<GridRow>,
}

impl Grid {
    /// The row of a resource by id.
    pub fn row(&self, id: &str) -> Option<&GridRow> {
        self.rows.iter().find(|r| r.id == id)
    }

    /// The cell of a resource and an action, by ids.
    pub fn cell(&self, resource: &str, action: &str) -> Option<GridCell> {
        let column = self.columns.iter().position(|c| c.id == action)?;
        self.row(resource)?.cells.get(column).copied()
    }
}

/// The width of the label column, in characters (the longest portal name plus its indent fits).
const NAME_WIDTH: usize = 36;
/// The width of a value column.
const CELL_WIDTH: usize = 9;

fn row_label(row: &GridRow) -> String {
    // The root is plain; below it an arrow marks a row with children, and each level
    // below the first indents by two spaces (the seeds' expanded "▼ Client Profile").
    if row.depth == 0 {
        return row.name.clone();
    }
    let indent = "  ".repeat(row.depth as usize - 1);
    let marker = if row.has_children { "▼ " } else { "  " };
    format!("{indent}{marker}{}", row.name)
}

impl fmt::Display for Grid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let labels: Vec<String> = self.rows.iter().map(row_label).collect();
        let width = labels
            .iter()
            .map(|l| l.chars().count() + 1)
            .max()
            .unwrap_or(0)
            .max(NAME_WIDTH);
        writeln!(f, "() shows inherited value")?;
        let mut line = format!("{:width$}", "Resources");
        for column in &self.columns {
            line.push_str(&format!("{:CELL_WIDTH$}", column.name));
        }
        writeln!(f, "{}", line.trim_end())?;
        for (row, label) in self.rows.iter().zip(&labels) {
            let mut line = format!("{label:width$}");
            for cell in &row.cells {
                line.push_str(&format!("{cell:CELL_WIDTH$}"));
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

impl Policy {
    /// The grid of a principal, by id.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPrincipal`](crate::Error::UnknownPrincipal).
    pub fn grid(&self, principal: &str) -> Result<Grid> {
        let index = self.principal_index(principal)?;
        Ok(self.grid_of(index))
    }

    /// The grid of a principal, by index (an unknown index gives an all-"(None)" grid).
    pub fn grid_of(&self, principal: PrincipalIndex) -> Grid {
        let schema = self.schema();
        let own = self.grants(principal);
        let rows = schema
            .resources()
            .map(|(index, resource)| GridRow {
                id: resource.id().to_owned(),
                name: resource.name().to_owned(),
                depth: resource.depth(),
                has_children: !resource.children().is_empty(),
                cells: (0..schema.actions().len())
                    .map(|a| {
                        let Some(cell) = u8::try_from(a)
                            .ok()
                            .and_then(|a| schema.cell_at(index, crate::action::ActionIndex(a)))
                        else {
                            return GridCell::NotApplicable;
                        };
                        match own.and_then(|g| g.get(cell)) {
                            Some(effect) => GridCell::Explicit(effect),
                            None => GridCell::Inherited(self.decide(principal, cell)),
                        }
                    })
                    .collect(),
            })
            .collect();
        Grid {
            principal: self
                .member(principal)
                .map_or_else(String::new, |m| m.id.clone()),
            columns: schema
                .actions()
                .iter()
                .map(|a| GridColumn {
                    id: a.id.clone(),
                    name: a.name.clone(),
                })
                .collect(),
            rows,
        }
    }
}
