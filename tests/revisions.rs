//! Every step that changes a stored state moves its revision on by exactly one,
//! and a step that changes nothing leaves it where it was: the contract a
//! compare-and-swap store relies on (a change with no new revision would be
//! written over by a racer; a new revision with no change costs a needless write).

mod fixtures;

use countersign::security_codes::Client;
use countersign::{Access, Account, PasswordStep, Portal, SecondFactor, ServerKey};
use fixtures::*;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Advance(u16),
    SignIn { right: bool },
    BeginEnrollment { right: bool },
    ConfirmEnrollment { right: bool },
    CancelEnrollment,
    DisableTwoFactor { right: bool },
    Totp { right: bool, remember: bool },
    Backup(usize),
    SendSms,
    Sms { right: bool },
    Device,
    SignInOnDevice { right: bool },
    SignInWithBackupCode(usize),
    ForgetDevices,
    RequestReset,
    Reset { right: bool },
    ChangePassword { right: bool },
    SetContactCode { valid: bool },
    Unlock,
    AddAuthenticator { right: bool, name: usize },
    ConfirmAuthenticator { right: bool },
    RemoveAuthenticator { right: bool, name: usize },
    TotpFromAnother { right: bool, index: usize },
    RegenerateBackupCodes { right: bool },
    Deactivate { by_primary: bool },
    Reactivate,
}

/// The names the person gives (and asks to remove): the first is the default
/// name of the first authenticator, in another case.
const NAMES: [&str; 3] = ["authenticator APP", "Joe's phone", "YubiKey 5"];

fn op() -> impl Strategy<Value = Op> {
    let b = any::<bool>;
    prop_oneof![
        (1u16..400).prop_map(Op::Advance),
        b().prop_map(|right| Op::SignIn { right }),
        b().prop_map(|right| Op::BeginEnrollment { right }),
        b().prop_map(|right| Op::ConfirmEnrollment { right }),
        Just(Op::CancelEnrollment),
        b().prop_map(|right| Op::DisableTwoFactor { right }),
        (b(), b()).prop_map(|(right, remember)| Op::Totp { right, remember }),
        (0usize..11).prop_map(Op::Backup),
        Just(Op::SendSms),
        b().prop_map(|right| Op::Sms { right }),
        Just(Op::Device),
        b().prop_map(|right| Op::SignInOnDevice { right }),
        (0usize..11).prop_map(Op::SignInWithBackupCode),
        Just(Op::ForgetDevices),
        Just(Op::RequestReset),
        b().prop_map(|right| Op::Reset { right }),
        b().prop_map(|right| Op::ChangePassword { right }),
        b().prop_map(|valid| Op::SetContactCode { valid }),
        Just(Op::Unlock),
        (b(), 0usize..3).prop_map(|(right, name)| Op::AddAuthenticator { right, name }),
        b().prop_map(|right| Op::ConfirmAuthenticator { right }),
        (b(), 0usize..3).prop_map(|(right, name)| Op::RemoveAuthenticator { right, name }),
        (b(), 0usize..3).prop_map(|(right, index)| Op::TotpFromAnother { right, index }),
        b().prop_map(|right| Op::RegenerateBackupCodes { right }),
        b().prop_map(|by_primary| Op::Deactivate { by_primary }),
        Just(Op::Reactivate),
    ]
}

/// The stored state with the revision taken out: what "changed" means.
fn content(account: &Account) -> serde_json::Value {
    let mut value = serde_json::to_value(account).unwrap();
    value.as_object_mut().unwrap().remove("revision");
    value
}

/// The person at the keyboard: what they know, and what the portal gave them.
struct Person {
    password: String,
    app: Option<countersign::totp::Totp>,
    pending_app: Option<countersign::totp::Totp>,
    /// The authenticators added after the first.
    others: Vec<countersign::totp::Totp>,
    backup: Vec<String>,
    sms: Option<String>,
    reset: Option<String>,
    device: Option<String>,
}

fn ticket(
    portal: &Portal,
    account: &mut Account,
    person: &Person,
    now: u64,
) -> Option<countersign::LoginTicket> {
    match portal.sign_in(account, &person.password, now, &mut rng()) {
        Ok(PasswordStep::SecondFactorRequired(t)) => Some(t),
        _ => None,
    }
}

/// The revision and content right before the one facade call an op measures.
type Mark = Option<(u64, serde_json::Value)>;

fn mark(account: &Account) -> Mark {
    Some((account.revision(), content(account)))
}

/// Runs one step; `None` for steps that need what the person does not have.
/// Sets `marked` right before the one facade call that is the step (after the
/// password sign-in a second factor needs first).
fn run(
    portal: &Portal,
    account: &mut Account,
    person: &mut Person,
    op: &Op,
    now: u64,
    marked: &mut Mark,
) -> Option<()> {
    *marked = mark(account);
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let typed = |right: bool, code: String| if right { code } else { wrong(&code) };
    match op {
        Op::Advance(_) => return None,
        Op::SignIn { right } => {
            let password = if *right {
                person.password.clone()
            } else {
                "not the password at all".into()
            };
            let _ = portal.sign_in(account, &password, now, &mut rng());
        }
        Op::BeginEnrollment { right } => {
            let password = if *right {
                person.password.clone()
            } else {
                "not the password at all".into()
            };
            if let Ok(started) =
                portal.begin_enrollment(account, &access, &password, now, &mut rng())
            {
                person.pending_app = Some(app_for(&started.key_for_typing()));
            }
        }
        Op::ConfirmEnrollment { right } => {
            let app = person.pending_app.as_ref()?;
            let code = typed(*right, code(app, now));
            if let Ok(done) = portal.confirm_enrollment(account, &code, now, &mut rng()) {
                person.app = person.pending_app.take();
                person.backup = done
                    .backup_codes
                    .iter()
                    .map(|c| c.expose().to_owned())
                    .collect();
            }
        }
        Op::CancelEnrollment => {
            let _ = portal.cancel_enrollment(account);
        }
        Op::DisableTwoFactor { right } => {
            let password = if *right {
                person.password.clone()
            } else {
                "not the password at all".into()
            };
            let _ = portal.disable_two_factor(account, &password, now, &mut rng());
        }
        Op::Totp { right, remember } => {
            let code = typed(*right, code(person.app.as_ref()?, now));
            let ticket = ticket(portal, account, person, now)?;
            *marked = mark(account);
            if let Ok(signed_in) = portal.complete_sign_in(
                account,
                &ticket,
                SecondFactor::Totp(&code),
                *remember,
                now,
                &mut rng(),
            ) {
                person.device = signed_in
                    .device_token
                    .map(|t| t.as_str().to_owned())
                    .or(person.device.take());
            }
        }
        Op::Backup(index) => {
            let code = person.backup.get(*index)?.clone();
            let ticket = ticket(portal, account, person, now)?;
            *marked = mark(account);
            let _ = portal.complete_sign_in(
                account,
                &ticket,
                SecondFactor::BackupCode(&code),
                false,
                now,
                &mut rng(),
            );
        }
        Op::SendSms => {
            let ticket = ticket(portal, account, person, now)?;
            *marked = mark(account);
            if let Ok(delivery) = portal.send_sms_code(account, &ticket, now, &mut rng()) {
                person.sms = Some(delivery.code.as_str().to_owned());
            }
        }
        Op::Sms { right } => {
            let code = typed(*right, person.sms.clone()?);
            let ticket = ticket(portal, account, person, now)?;
            *marked = mark(account);
            let _ = portal.complete_sign_in(
                account,
                &ticket,
                SecondFactor::SmsCode(&code),
                false,
                now,
                &mut rng(),
            );
        }
        Op::Device => {
            let cookie = person.device.clone()?;
            let ticket = ticket(portal, account, person, now)?;
            *marked = mark(account);
            let _ = portal.complete_sign_in(
                account,
                &ticket,
                SecondFactor::RememberedDevice(&cookie),
                false,
                now,
                &mut rng(),
            );
        }
        Op::SignInOnDevice { right } => {
            let cookie = person.device.clone()?;
            let password = if *right {
                person.password.clone()
            } else {
                "not the password at all".into()
            };
            let _ = portal.sign_in_on_device(account, &cookie, &password, now, &mut rng());
        }
        Op::SignInWithBackupCode(index) => {
            let code = person.backup.get(*index)?.clone();
            let _ = portal.sign_in_with_backup_code(
                account,
                &person.password.clone(),
                &code,
                false,
                now,
                &mut rng(),
            );
        }
        Op::ForgetDevices => {
            let id = account.devices().devices().first()?.id();
            let _ = account.forget_device(id);
        }
        Op::RequestReset => {
            if let Ok(delivery) = portal.request_password_reset(account, now, &mut rng()) {
                person.reset = Some(delivery.code.as_str().to_owned());
            }
        }
        Op::Reset { right } => {
            let code = typed(*right, person.reset.clone()?);
            let new = format!("{} again", person.password);
            if portal
                .reset_password(account, &code, &new, now, &mut rng())
                .is_ok()
            {
                person.password = new;
            }
        }
        Op::ChangePassword { right } => {
            let current = if *right {
                person.password.clone()
            } else {
                "not the password at all".into()
            };
            let new = format!("{} anew", person.password);
            if portal
                .change_password(account, &current, &new, now, &mut rng())
                .is_ok()
            {
                person.password = new;
            }
        }
        Op::SetContactCode { valid } => {
            let actor = account.profile().clone();
            let code = if *valid {
                "purple elephant dances"
            } else {
                "short"
            };
            let _ = portal.set_contact_code(account, &actor, &access, code, now);
        }
        Op::Unlock => account.unlock(),
        Op::Deactivate { by_primary } => {
            let mut actor = account.profile().clone();
            actor.contact_id += 1;
            actor.primary = *by_primary;
            let _ = portal.deactivate_contact(account, &actor, now);
        }
        Op::Reactivate => {
            let mut actor = account.profile().clone();
            actor.contact_id += 1;
            actor.primary = true;
            let _ = portal.reactivate_contact(account, &actor);
        }
        Op::AddAuthenticator { right, name } => {
            let password = if *right {
                person.password.clone()
            } else {
                "not the password at all".into()
            };
            // Another seed than `rng()`'s: another secret than the first app's.
            let mut seeded = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(now);
            if let Ok(started) = portal.begin_adding_authenticator(
                account,
                &access,
                NAMES[*name],
                &password,
                now,
                &mut seeded,
            ) {
                person.pending_app = Some(app_for(&started.key_for_typing()));
            }
        }
        Op::ConfirmAuthenticator { right } => {
            let app = person.pending_app.as_ref()?;
            let code = typed(*right, code(app, now));
            if portal.confirm_authenticator(account, &code, now).is_ok() {
                person.others.extend(person.pending_app.take());
            }
        }
        Op::RemoveAuthenticator { right, name } => {
            let password = if *right {
                person.password.clone()
            } else {
                "not the password at all".into()
            };
            let _ = portal.remove_authenticator(account, NAMES[*name], &password, now, &mut rng());
        }
        Op::TotpFromAnother { right, index } => {
            let code = typed(*right, code(person.others.get(*index)?, now));
            let ticket = ticket(portal, account, person, now)?;
            *marked = mark(account);
            let _ = portal.complete_sign_in(
                account,
                &ticket,
                SecondFactor::Totp(&code),
                false,
                now,
                &mut rng(),
            );
        }
        Op::RegenerateBackupCodes { right } => {
            let password = if *right {
                person.password.clone()
            } else {
                "not the password at all".into()
            };
            if let Ok(renewed) = portal.regenerate_backup_codes(account, &password, now, &mut rng())
            {
                person.backup = renewed
                    .backup_codes
                    .iter()
                    .map(|c| c.expose().to_owned())
                    .collect();
            }
        }
    }
    Some(())
}

/// Runs `setup` from `start` (0: two-factor off; 1: enrolled; 2: and a second
/// authenticator), then `probe`, and checks the revision moved by exactly one
/// if the probe changed the account, and not at all if it did not.
fn check_step(start: u8, setup: Vec<Op>, probe: &Op) -> Result<(), TestCaseError> {
    let portal = portal();
    let mut account = account(&portal, joe(), JOE_PASSWORD);
    let mut person = Person {
        password: JOE_PASSWORD.into(),
        app: None,
        pending_app: None,
        others: Vec::new(),
        backup: Vec::new(),
        sms: None,
        reset: None,
        device: None,
    };
    // Some cases start enrolled, some with a second authenticator too, so
    // that the flows behind two-factor are probed often, not by luck.
    if start > 0 {
        let (app, codes) = enroll(&portal, &mut account, JOE_PASSWORD);
        person.app = Some(app);
        person.backup = codes;
    }
    if start > 1 {
        let permissions = seeded_permissions();
        let access = Access::new(&permissions).unwrap();
        let mut seeded = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(1);
        let started = portal
            .begin_adding_authenticator(
                &mut account,
                &access,
                NAMES[1],
                JOE_PASSWORD,
                NOW,
                &mut seeded,
            )
            .unwrap();
        let other = app_for(&started.key_for_typing());
        portal
            .confirm_authenticator(&mut account, &code(&other, NOW), NOW)
            .unwrap();
        person.others.push(other);
    }
    let mut now = NOW;
    for op in setup {
        if let Op::Advance(secs) = op {
            now += u64::from(secs);
        } else {
            let _ = run(&portal, &mut account, &mut person, &op, now, &mut None);
        }
    }
    let mut marked = None;
    if run(&portal, &mut account, &mut person, probe, now, &mut marked).is_none() {
        return Ok(());
    }
    let (revision, before) = marked.unwrap();
    if content(&account) == before {
        prop_assert_eq!(
            account.revision(),
            revision,
            "{:?} changed nothing but moved the revision",
            probe
        );
    } else {
        prop_assert_eq!(
            account.revision(),
            revision + 1,
            "{:?} changed the account",
            probe
        );
    }
    Ok(())
}

/// The flows of issue 14, and the TOTP sign-in they change.
fn authenticator_op() -> impl Strategy<Value = Op> {
    let b = any::<bool>;
    prop_oneof![
        (b(), 0usize..3).prop_map(|(right, name)| Op::AddAuthenticator { right, name }),
        b().prop_map(|right| Op::ConfirmAuthenticator { right }),
        (b(), 0usize..3).prop_map(|(right, name)| Op::RemoveAuthenticator { right, name }),
        (b(), 0usize..3).prop_map(|(right, index)| Op::TotpFromAnother { right, index }),
        b().prop_map(|right| Op::RegenerateBackupCodes { right }),
        (b(), b()).prop_map(|(right, remember)| Op::Totp { right, remember }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_single_step_accounts_for_its_change(
        start in 0u8..3,
        setup in proptest::collection::vec(op(), 0..20),
        probe in op(),
    ) {
        check_step(start, setup, &probe)?;
    }

    #[test]
    fn every_authenticator_and_backup_code_step_accounts_for_its_change(
        start in 1u8..3,
        setup in proptest::collection::vec(prop_oneof![op(), authenticator_op()], 0..12),
        probe in authenticator_op(),
    ) {
        check_step(start, setup, &probe)?;
    }
}

#[test]
fn a_new_account_and_a_new_client_start_at_revision_one() {
    let portal = portal();
    assert_eq!(account(&portal, joe(), JOE_PASSWORD).revision(), 1);
    assert_eq!(Client::new(1707).revision(), 1);
}

#[test]
fn a_version_1_account_reads_as_revision_1_and_is_written_as_the_current_version() {
    // The account as the main branch stored it before revisions (tests/data/v1).
    let v1 = include_str!("data/v1/account.json");
    let read: Account = serde_json::from_str(v1).unwrap();
    assert_eq!(read.revision(), 1);
    let written = serde_json::to_value(&read).unwrap();
    assert_eq!(written["v"], 4, "version 4 since passkeys (issue 15)");
    assert_eq!(written["revision"], 1);
    let client: Client = serde_json::from_str(include_str!("data/v1/client.json")).unwrap();
    assert_eq!(client.revision(), 1);
}

#[test]
fn a_revision_that_cannot_move_on_or_is_missing_is_refused() {
    let portal = portal();
    let account = account(&portal, joe(), JOE_PASSWORD);
    let stuck = "a revision of 0 or u64::MAX";
    let misplaced = "a revision in a format before revisions, or none in one after";
    for (v, revision, why) in [
        (2, Some(0u64), stuck),
        (2, Some(u64::MAX), stuck),
        (2, None, misplaced),
        (1, Some(3), misplaced),
    ] {
        let mut value = serde_json::to_value(&account).unwrap();
        let object = value.as_object_mut().unwrap();
        object.insert("v".into(), v.into());
        match revision {
            Some(r) => object.insert("revision".into(), r.into()),
            None => object.remove("revision"),
        };
        let err = refusal(value);
        assert!(err.contains(why), "v{v} {revision:?}: {err}");
    }
}

#[test]
fn a_client_of_an_unknown_version_is_refused_by_its_version_not_its_revision() {
    // A newer build's client record: the answer names the version to upgrade to, not a
    // revision problem it does not have.
    let mut value = serde_json::to_value(Client::new(1707)).unwrap();
    value["v"] = 9.into();
    let err = serde_json::from_value::<Client>(value).unwrap_err();
    assert!(err.to_string().contains("format version 9"), "{err}");
}

#[test]
fn a_client_step_moves_its_revision_only_when_it_changes() {
    let portal = Portal::new(ServerKey::from_bytes([0x42; 32]), settings()).unwrap();
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let mut client = Client::new(1707);
    client.unlock();
    assert_eq!(client.revision(), 1, "nothing to unlock");
    portal
        .set_account_code(&mut client, &joe(), &access, "purple elephant dances", NOW)
        .unwrap();
    assert_eq!(client.revision(), 2);
    let _ = portal.set_account_code(&mut client, &joe(), &access, "short", NOW);
    assert_eq!(client.revision(), 2, "a refused code changes nothing");
    let joe_account = account(&portal, joe(), JOE_PASSWORD);
    let _ = portal.verify_caller(&mut client, &[&joe_account], "wrong words entirely", NOW);
    assert_eq!(client.revision(), 3, "a wrong guess counts in the throttle");
    let _ = portal.verify_caller(
        &mut client,
        &[&joe_account],
        "purple elephant dances",
        NOW + 3_600,
    );
    assert_eq!(client.revision(), 4, "a right guess clears the failure");
    let _ = portal.verify_caller(
        &mut client,
        &[&joe_account],
        "purple elephant dances",
        NOW + 3_600,
    );
    assert_eq!(
        client.revision(),
        4,
        "a right guess on a clean throttle changes nothing"
    );
}

#[test]
fn the_totp_hot_path_and_a_profile_edit_move_the_revision_themselves() {
    // `verify_totp` skips `Account::step` (no clone to compare) and moves the revision
    // itself; so does `profile_mut`, which cannot see what the caller will change.
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (app, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let prepared = portal.prepare_totp(&joe).unwrap();
    let at = NOW + 300;
    let start = joe.revision();
    // Malformed: compared with nothing, nothing changed.
    assert!(portal.verify_totp(&mut joe, &prepared, "12", at).is_err());
    assert_eq!(joe.revision(), start);
    // Wrong: the lanes count it.
    assert!(
        portal
            .verify_totp(&mut joe, &prepared, &wrong(&code(&app, at)), at)
            .is_err()
    );
    assert_eq!(joe.revision(), start + 1);
    // Right: the step is spent.
    portal
        .verify_totp(&mut joe, &prepared, &code(&app, at), at)
        .unwrap();
    assert_eq!(joe.revision(), start + 2);
    joe.profile_mut().name = "Joe Q. Example".into();
    assert_eq!(joe.revision(), start + 3);
}
