//! The compiled decision table on a schema of more than 64 cells, where a principal's
//! row is several words: its size, its principal count, and `refresh` adding the
//! principals that joined the policy after compiling.

use countersign_permissions::{CompiledPolicy, Policy, Schema, Setting};

/// 17 resources of 4 actions: 68 cells, two words per principal.
fn wide() -> Schema {
    let mut builder = Schema::builder().root("r0", "R0");
    for i in 1..17 {
        builder = builder.child(&format!("r{}", i - 1), &format!("r{i}"), &format!("R{i}"));
    }
    builder.build().unwrap()
}

/// Every cell of every principal the table holds is what `explain` says.
fn agrees(compiled: &CompiledPolicy, policy: &Policy) {
    for (principal, id) in policy.principals().take(compiled.principal_count()) {
        for cell in policy.schema().cells() {
            assert_eq!(
                compiled.allows(principal, cell),
                policy.explain_cell(principal, cell).is_allowed(),
                "{id} {}",
                policy.schema().describe(cell)
            );
        }
    }
}

#[test]
fn a_two_word_table_holds_one_row_per_principal_and_its_ids() {
    let mut policy = Policy::new(wide());
    for id in ["alice", "bob", "carol"] {
        policy.add_principal(id, &[]).unwrap();
    }
    policy.set("bob", "r16", "delete", Setting::Allow).unwrap();
    let compiled = CompiledPolicy::compile(&policy);
    assert_eq!(compiled.bytes_per_principal(), 16);
    assert_eq!(compiled.table_bytes(), 48);
    assert_eq!(compiled.principal_count(), 3);
    // Compiling sizes the id index exactly: the ids' bytes and 8 bytes a principal.
    let ids = "alice".len() + "bob".len() + "carol".len();
    assert_eq!(compiled.heap_bytes(), 48 + ids + 3 * 8);
    agrees(&compiled, &policy);
}

#[test]
fn refresh_adds_the_principals_up_to_the_one_refreshed_and_no_further() {
    let mut policy = Policy::new(wide());
    policy.add_principal("a", &[]).unwrap();
    policy.set("a", "r0", "view", Setting::Allow).unwrap();
    let mut compiled = CompiledPolicy::compile(&policy);

    let b = policy.add_principal("b", &[]).unwrap();
    let c = policy.add_principal("c", &[]).unwrap();
    let d = policy.add_principal("d", &[]).unwrap();
    for id in ["b", "c", "d"] {
        policy.set(id, "r16", "delete", Setting::Allow).unwrap();
        policy.set(id, "r3", "update", Setting::Allow).unwrap();
    }
    policy.set("c", "r8", "view", Setting::Deny).unwrap();

    compiled.refresh(&policy, c).unwrap();
    assert_eq!(compiled.principal_count(), 3);
    assert_eq!(compiled.principal("b"), Some(b));
    assert_eq!(compiled.principal("c"), Some(c));
    assert_eq!(
        compiled.principal("d"),
        None,
        "d joins when it is refreshed"
    );
    agrees(&compiled, &policy);

    compiled.refresh(&policy, d).unwrap();
    assert_eq!(compiled.principal_count(), 4);
    agrees(&compiled, &policy);
}

#[test]
fn a_table_accepts_a_policy_over_an_equal_schema_built_apart() {
    let mut policy = Policy::new(wide());
    policy.add_principal("a", &[]).unwrap();
    let mut compiled = CompiledPolicy::compile(&policy);

    // The same schema built again (as a reloaded document would be): not the same Arc.
    let mut reloaded = Policy::new(wide());
    let a = reloaded.add_principal("a", &[]).unwrap();
    reloaded.set("a", "r16", "view", Setting::Allow).unwrap();
    compiled.refresh(&reloaded, a).unwrap();
    assert_eq!(compiled.principal_count(), 1);
    agrees(&compiled, &reloaded);
}

#[test]
fn a_table_finds_each_of_many_principals_by_id_and_no_other() {
    let mut policy = Policy::new(wide());
    // Not in sorted order, so the id index's bisection does the work.
    let ids: Vec<String> = (0..100).map(|i| format!("p{}", (i * 37) % 100)).collect();
    for id in &ids {
        policy.add_principal(id, &[]).unwrap();
    }
    let mut compiled = CompiledPolicy::compile(&policy);
    for id in &ids {
        assert_eq!(compiled.principal(id), policy.principal(id), "{id}");
    }
    for absent in ["", "p", "p100", "p5x", "q0", "~"] {
        assert_eq!(compiled.principal(absent), None, "{absent}");
    }
    // Ids added later are inserted into the index in order too.
    for id in ["a-first", "p50b", "zz-last"] {
        let index = policy.add_principal(id, &[]).unwrap();
        compiled.refresh(&policy, index).unwrap();
    }
    for (index, id) in policy.principals() {
        assert_eq!(compiled.principal(id), Some(index), "{id}");
    }
}
