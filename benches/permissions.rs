//! Permission checks: the compiled table against `explain`, on the portal schema and on a
//! synthetic schema of 1,000 resources 8 levels deep with 10,000 principals; compile time;
//! memory per principal (printed before the benches run).
//!
//! Targets (issue 6): a compiled check under 10 ns median; under 64 bytes per principal
//! for the portal schema. The floor in each check group is a bare load and shift from a
//! `Vec<u64>`, what a compiled check cannot beat.

use std::hint::black_box;
use std::time::Duration;

use countersign::permissions::{Cell, CompiledPolicy, Policy, PrincipalIndex, Schema, Setting};
use criterion::{Criterion, criterion_group, criterion_main};

/// xorshift64*: deterministic inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
}

const ACTIONS: [&str; 4] = ["view", "create", "update", "delete"];

fn portal_policy() -> Policy {
    let mut policy = Policy::from_toml(
        r#"
        schema = "client-portal"
        [roles.security-code-holder]
        grants.manage-contacts = { view = "allow", update = "allow" }
        [roles.read-only]
        grants.client-portal.view = "allow"
        grants.client-portal.update = "deny"
        "#,
    )
    .unwrap();
    let mut rng = Rng(0x5eed);
    let ids: Vec<String> = Schema::client_portal()
        .resources()
        .map(|(_, r)| r.id().to_owned())
        .collect();
    for p in 0..1_000 {
        let roles: &[&str] = match p % 3 {
            0 => &[],
            1 => &["security-code-holder"],
            _ => &["security-code-holder", "read-only"],
        };
        let id = format!("contact-{p}");
        policy.add_principal(&id, roles).unwrap();
        for _ in 0..2 {
            let resource = &ids[rng.below(ids.len())];
            let action = ACTIONS[rng.below(4)];
            let setting = if rng.below(3) == 0 {
                Setting::Deny
            } else {
                Setting::Allow
            };
            let _ = policy.set(&id, resource, action, setting); // a "-" cell is skipped
        }
    }
    policy
}

/// 1,000 resources on 8 levels (1, 4, 8, 16, 32, 64, 128, 747), 50 roles of 20 grants,
/// 10,000 principals with 1 or 2 roles and 3 own grants.
fn synthetic_policy() -> Policy {
    let sizes = [1usize, 4, 8, 16, 32, 64, 128, 747];
    let mut builder = Schema::builder();
    let mut levels: Vec<Vec<String>> = Vec::new();
    let mut n = 0;
    for (depth, &size) in sizes.iter().enumerate() {
        let mut level = Vec::with_capacity(size);
        for j in 0..size {
            let id = format!("r{n}");
            builder = if depth == 0 {
                builder.root(&id, &id)
            } else {
                let parents = &levels[depth - 1];
                builder.child(&parents[j % parents.len()].clone(), &id, &id)
            };
            level.push(id);
            n += 1;
        }
        levels.push(level);
    }
    assert_eq!(n, 1_000);
    let schema = builder.build().unwrap();
    let ids: Vec<String> = schema.resources().map(|(_, r)| r.id().to_owned()).collect();
    let mut policy = Policy::new(schema);
    let mut rng = Rng(0xc0ffee);
    let setting = |rng: &mut Rng| {
        if rng.below(4) == 0 {
            Setting::Deny
        } else {
            Setting::Allow
        }
    };
    for r in 0..50 {
        let role = format!("role{r}");
        policy.add_role(&role, &[]).unwrap();
        for _ in 0..20 {
            let s = setting(&mut rng);
            policy
                .set_role(&role, &ids[rng.below(ids.len())], ACTIONS[rng.below(4)], s)
                .unwrap();
        }
    }
    for p in 0..10_000 {
        let id = format!("p{p}");
        let a = format!("role{}", rng.below(50));
        let b = format!("role{}", rng.below(50));
        if p % 2 == 0 {
            policy.add_principal(&id, &[&a]).unwrap();
        } else {
            policy.add_principal(&id, &[&a, &b]).unwrap();
        }
        for _ in 0..3 {
            let s = setting(&mut rng);
            policy
                .set(&id, &ids[rng.below(ids.len())], ACTIONS[rng.below(4)], s)
                .unwrap();
        }
    }
    policy
}

/// Random (principal, cell) pairs to cycle through, so that a check is not one cached answer.
fn queries(policy: &Policy, count: usize, seed: u64) -> Vec<(PrincipalIndex, Cell)> {
    let cells: Vec<Cell> = policy.schema().cells().collect();
    let principals: Vec<PrincipalIndex> = policy.principals().map(|(p, _)| p).collect();
    let mut rng = Rng(seed);
    (0..count)
        .map(|_| {
            (
                principals[rng.below(principals.len())],
                cells[rng.below(cells.len())],
            )
        })
        .collect()
}

fn report_memory(name: &str, policy: &Policy, compiled: &CompiledPolicy) {
    println!(
        "permissions memory [{name}]: {} resources x {} actions, {} principals: {} bytes of table per principal \
         ({} bytes in all); with the id index, about {} bytes per principal",
        policy.schema().len(),
        policy.schema().actions().len(),
        compiled.principal_count(),
        compiled.bytes_per_principal(),
        compiled.table_bytes(),
        compiled.heap_bytes() / compiled.principal_count().max(1),
    );
}

fn check_group(c: &mut Criterion, name: &str, policy: &Policy) {
    let compiled = CompiledPolicy::compile(policy);
    report_memory(name, policy, &compiled);
    let queries = queries(policy, 4096, 7);
    let floor: Vec<u64> = vec![0x5555_5555_5555_5555; compiled.table_bytes() / 8];
    let stride = compiled.bytes_per_principal() / 8;
    // The deepest cell for the reference resolver's worst walk.
    let deepest = policy
        .schema()
        .resources()
        .max_by_key(|(_, r)| r.depth())
        .and_then(|(r, _)| {
            policy
                .schema()
                .cell_at(r, policy.schema().action("update").unwrap())
        })
        .unwrap();
    let someone = policy
        .principal(policy.principals().last().unwrap().1)
        .unwrap();
    let (first_id, _) = policy
        .principals()
        .next()
        .map(|(p, id)| (id.to_owned(), p))
        .unwrap();

    let mut group = c.benchmark_group(format!("permissions/{name}"));
    group
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let mut i = 0usize;
    group.bench_function("floor: Vec<u64> load and shift", |b| {
        b.iter(|| {
            i = (i + 1) & 4095;
            let (p, cell) = queries[i];
            let bit = (p.get() * stride * 64) + cell.resource().get() * 4 + cell.action().get();
            black_box(floor[bit / 64] >> (bit % 64) & 1 == 1)
        });
    });
    let mut i = 0usize;
    group.bench_function("compiled check (pre-resolved)", |b| {
        b.iter(|| {
            i = (i + 1) & 4095;
            let (p, cell) = queries[i];
            black_box(compiled.allows(black_box(p), black_box(cell)))
        });
    });
    let fixed = queries[0];
    group.bench_function("compiled check (same cell)", |b| {
        b.iter(|| black_box(compiled.allows(black_box(fixed.0), black_box(fixed.1))));
    });
    let resource = policy
        .schema()
        .get(deepest.resource())
        .unwrap()
        .id()
        .to_owned();
    group.bench_function("compiled check by ids (strings hashed)", |b| {
        b.iter(|| {
            black_box(
                compiled
                    .check(black_box(&first_id), black_box(&resource), "update")
                    .unwrap(),
            )
        });
    });
    let mut i = 0usize;
    group.bench_function("explain (reference resolver)", |b| {
        b.iter(|| {
            i = (i + 1) & 4095;
            let (p, cell) = queries[i];
            black_box(policy.explain_cell(black_box(p), black_box(cell)).decision)
        });
    });
    group.bench_function("explain (deepest cell)", |b| {
        b.iter(|| {
            black_box(
                policy
                    .explain_cell(black_box(someone), black_box(deepest))
                    .decision,
            )
        });
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let portal = portal_policy();
    check_group(c, "portal", &portal);
    let synthetic = synthetic_policy();
    check_group(c, "synthetic-1000x8-10000", &synthetic);

    let mut group = c.benchmark_group("permissions/compile");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    group.bench_function("portal, 1,000 principals", |b| {
        b.iter(|| CompiledPolicy::compile(black_box(&portal)));
    });
    group.bench_function("synthetic, 10,000 principals", |b| {
        b.iter(|| CompiledPolicy::compile(black_box(&synthetic)));
    });
    let mut patched = CompiledPolicy::compile(&synthetic);
    let one = synthetic.principal("p42").unwrap();
    group.bench_function("synthetic, refresh one principal", |b| {
        b.iter(|| patched.refresh(black_box(&synthetic), one).unwrap());
    });
    group.finish();
}

criterion_group!(permissions, benches);
criterion_main!(permissions);
