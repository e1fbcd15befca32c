//! Every account-security flow of the seeds, with the seeds' demo people, printing
//! each step's on-screen message.
//!
//! ```sh
//! cargo run --example portal
//! ```
//!
//! Joe Example (3522) is the primary contact of client 1707; Contact Example
//! (3523) and Contact Example 2 (3526) are his other users. The clock is simulated
//! (each step a little later than the last) so the walk is the same every run.
//! Production Argon2id parameters are used, so the password steps take a moment.

use countersign::permissions::{CompiledPolicy, Policy as PermissionPolicy};
use countersign::security_codes::Client;
use countersign::totp::{Params, Secret, Totp};
use countersign::{
    Access, Account, Error, PasswordStep, Portal, Profile, SecondFactor, ServerKey, Settings,
};

const JOE_PASSWORD: &str = "Vivio is gr8! I like knowing my account is Secure";
const CONTACT_PASSWORD: &str = "Y? 'Cuz I Reelee lik mi prYvacee.";

fn step(title: &str) {
    println!("\n== {title}");
}

fn show(message: impl std::fmt::Display) {
    println!("   > {message}");
}

fn refused(error: &Error) {
    println!("   x {error}");
}

fn ticket(
    portal: &Portal,
    account: &mut Account,
    password: &str,
    now: u64,
) -> Result<countersign::LoginTicket, Box<dyn std::error::Error>> {
    match portal.sign_in(account, password, now, &mut rand::rng())? {
        PasswordStep::SecondFactorRequired(ticket) => {
            show("Password accepted. Enter your Authentication Code.");
            Ok(ticket)
        }
        PasswordStep::SignedIn(_) => Err("two-factor should be on".into()),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = rand::rng();
    let portal = Portal::new(ServerKey::generate(), Settings::default())?;
    let mut now: u64 = 1_763_900_000;

    // ---- Create Account (seed 003) -------------------------------------------
    step("Create Account: Joe Example, primary contact of client 1707 (seed 003)");
    let joe_profile = Profile {
        contact_id: 3522,
        client_id: 1707,
        name: "Joe Example".into(),
        username: "joe.example".into(),
        email: "marketing@viviotech.net".into(),
        cell_phone: Some("+1 509 555 0100".into()),
        primary: true,
    };
    match portal.create_account(joe_profile.clone(), "joe.example", &mut rng) {
        Err(error) => refused(&error),
        Ok(_) => return Err("a password equal to the username was accepted".into()),
    }
    let mut joe = portal.create_account(joe_profile, JOE_PASSWORD, &mut rng)?;
    show("Account created for joe.example");
    let mut contact = portal.create_account(
        Profile {
            contact_id: 3523,
            client_id: 1707,
            name: "Contact Example".into(),
            username: "contact.example".into(),
            email: "marketing@viviotech.net".into(),
            cell_phone: None,
            primary: false,
        },
        CONTACT_PASSWORD,
        &mut rng,
    )?;
    let mut contact2 = portal.create_account(
        Profile {
            contact_id: 3526,
            client_id: 1707,
            name: "Contact Example 2".into(),
            username: "contact.example.2".into(),
            email: String::new(),
            cell_phone: None,
            primary: false,
        },
        CONTACT_PASSWORD,
        &mut rng,
    )?;
    show("Contacts 3523 (Contact Example) and 3526 (Contact Example 2) added");

    // ---- Log in by client ID (seed 003) ----------------------------------------
    step("Log in with the Client ID number 1707 (seed 003)");
    assert!(joe.profile().answers_to("1707"));
    if let PasswordStep::SignedIn(signed_in) =
        portal.sign_in(&mut joe, JOE_PASSWORD, now, &mut rng)?
    {
        show(format!(
            "Signed in as Joe Example (via {:?})",
            signed_in.via
        ));
    }

    // ---- Enable two-factor (seeds 000, 001, 004) ---------------------------------
    step("Joe: Client Profile > View Profile > Two-Factor: Click to enable (seed 000)");
    let no_grants = CompiledPolicy::compile(&PermissionPolicy::from_toml(
        "schema = \"client-portal\"\n[principals.contact-3523]\n[principals.contact-3526]\n",
    )?);
    let no_access = Access::new(&no_grants)?;
    now += 30;
    match portal.begin_enrollment(&mut joe, &no_access, "Vivio is great", now, &mut rng) {
        Err(error) => refused(&error),
        Ok(_) => return Err("a wrong password was accepted".into()),
    }
    let started = portal.begin_enrollment(&mut joe, &no_access, JOE_PASSWORD, now, &mut rng)?;
    show(
        "Your secret key is shown below. Use your app to scan the barcode or enter the key manually.",
    );
    show(started.key_for_typing().as_str());
    show(started.otpauth_uri().as_str());
    println!("{}", started.qr_terminal()?.as_str());
    let joe_app = Totp::new(
        &Secret::from_base32(&started.key_for_typing())?,
        Params::default(),
    )?;
    now += 30;
    let wrong = if joe_app.code_at(now)?.to_string() == "000000" {
        "111111"
    } else {
        "000000"
    };
    match portal.confirm_enrollment(&mut joe, wrong, now, &mut rng) {
        Err(error) => refused(&error),
        Ok(_) => return Err("a wrong code completed enrollment".into()),
    }
    let done =
        portal.confirm_enrollment(&mut joe, &joe_app.code_at(now)?.to_string(), now, &mut rng)?;
    show(done.message);
    show("Read the warning, then note your backup codes in a secure location:");
    let backup: Vec<String> = done
        .backup_codes
        .iter()
        .map(|c| c.expose().to_owned())
        .collect();
    println!("     {}", backup.join("  "));

    // ---- Let Contact Example enable it (seed 000) -------------------------------
    step("Contact Example (3523) tries to enable two-factor without permission");
    match portal.begin_enrollment(&mut contact, &no_access, CONTACT_PASSWORD, now, &mut rng) {
        Err(error) => refused(&error),
        Ok(_) => return Err("the gate let a contact through".into()),
    }
    step("Joe: View Contacts > Edit > Permissions: Client Profile, View = Allow; Update");
    let seeded = CompiledPolicy::compile(&PermissionPolicy::from_toml(
        r#"
        schema = "client-portal"
        [principals.contact-3523]
        grants.client-profile.view = "allow"
        [principals.contact-3526]
        grants.profile.view = "allow"
        grants.manage-contacts = { view = "allow", update = "allow" }
        "#,
    )?);
    let access = Access::new(&seeded)?;
    show(countersign::notice::CONTACT_UPDATED);
    let started =
        portal.begin_enrollment(&mut contact, &access, CONTACT_PASSWORD, now, &mut rng)?;
    let contact_app = Totp::new(
        &Secret::from_base32(&started.key_for_typing())?,
        Params::default(),
    )?;
    now += 30;
    show(
        portal
            .confirm_enrollment(
                &mut contact,
                &contact_app.code_at(now)?.to_string(),
                now,
                &mut rng,
            )?
            .message,
    );

    // ---- Sign in with the app, remember the device (seeds 003, 004) --------------
    step("Joe logs in: password, then the app's code, Remember this device for 30 days (seed 004)");
    now += 3_600;
    let t = ticket(&portal, &mut joe, JOE_PASSWORD, now)?;
    let code = joe_app.code_at(now)?.to_string();
    let signed_in =
        portal.complete_sign_in(&mut joe, &t, SecondFactor::Totp(&code), true, now, &mut rng)?;
    show(format!(
        "Signed in (via {:?}); this device is remembered for 30 days",
        signed_in.via
    ));
    let cookie = signed_in.device_token.ok_or("asked to remember")?;
    step("The same code typed again");
    // A ticket is good for one sign-in: the password again, then the replay.
    let t = ticket(&portal, &mut joe, JOE_PASSWORD, now + 5)?;
    match portal.complete_sign_in(
        &mut joe,
        &t,
        SecondFactor::Totp(&code),
        false,
        now + 5,
        &mut rng,
    ) {
        Err(error) => refused(&error),
        Ok(_) => return Err("a replayed code was accepted".into()),
    }

    step("A week later, on the remembered device");
    now += 7 * 86_400;
    let t = ticket(&portal, &mut joe, JOE_PASSWORD, now)?;
    let again = portal.complete_sign_in(
        &mut joe,
        &t,
        SecondFactor::RememberedDevice(cookie.as_str()),
        false,
        now,
        &mut rng,
    )?;
    show(format!("Signed in (via {:?}): no code needed", again.via));

    // ---- SMS (seed 004) --------------------------------------------------------
    step("Joe: Send SMS Code (seed 004)");
    let t = ticket(&portal, &mut joe, JOE_PASSWORD, now)?;
    let sms = portal.send_sms_code(&mut joe, &t, now, &mut rng)?;
    show(format!(
        "Text to {}: \"Your Vivio Portal code is {}\" (expires at {})",
        sms.destination,
        sms.code.as_str(),
        sms.expires_at
    ));
    let by_sms = portal.complete_sign_in(
        &mut joe,
        &t,
        SecondFactor::SmsCode(sms.code.as_str()),
        false,
        now + 20,
        &mut rng,
    )?;
    show(format!("Signed in (via {:?})", by_sms.via));
    let t = ticket(&portal, &mut joe, JOE_PASSWORD, now + 25)?;
    match portal.complete_sign_in(
        &mut joe,
        &t,
        SecondFactor::SmsCode(sms.code.as_str()),
        false,
        now + 25,
        &mut rng,
    ) {
        Err(error) => refused(&error),
        Ok(_) => return Err("a used SMS code was accepted".into()),
    }

    // ---- Backup code (seed 004) ------------------------------------------------
    step("Joe lost his phone: a backup code");
    let t = ticket(&portal, &mut joe, JOE_PASSWORD, now + 30)?;
    let by_backup = portal.complete_sign_in(
        &mut joe,
        &t,
        SecondFactor::BackupCode(&backup[0]),
        false,
        now + 30,
        &mut rng,
    )?;
    show(format!(
        "Signed in (via {:?}); {} backup codes left",
        by_backup.via,
        by_backup.backup_codes_left.unwrap_or(0)
    ));
    let t = ticket(&portal, &mut joe, JOE_PASSWORD, now + 35)?;
    match portal.complete_sign_in(
        &mut joe,
        &t,
        SecondFactor::BackupCode(&backup[0]),
        false,
        now + 35,
        &mut rng,
    ) {
        Err(error) => refused(&error),
        Ok(_) => return Err("a used backup code was accepted".into()),
    }

    // ---- Another authenticator, and new backup codes (issue 14) ----------------
    step("Joe: Add another authenticator, \"Joe's YubiKey\"");
    let started = portal.begin_adding_authenticator(
        &mut joe,
        &no_access,
        "Joe's YubiKey",
        JOE_PASSWORD,
        now + 40,
        &mut rng,
    )?;
    let token = Totp::new(
        &Secret::from_base32(&started.key_for_typing())?,
        Params::default(),
    )?;
    let added =
        portal.confirm_authenticator(&mut joe, &token.code_at(now + 40)?.to_string(), now + 40)?;
    show(added.message);
    for a in joe.authenticators() {
        show(format!("{} (added {})", a.name(), a.added_at()));
    }
    step("Joe: Regenerate backup codes");
    let renewed = portal.regenerate_backup_codes(&mut joe, JOE_PASSWORD, now + 45, &mut rng)?;
    show(renewed.message);
    println!(
        "     {}",
        renewed
            .backup_codes
            .iter()
            .map(|c| c.expose().to_owned())
            .collect::<Vec<_>>()
            .join("  ")
    );

    // ---- Throttling -------------------------------------------------------------
    step("Someone guesses Contact Example's password");
    now += 60;
    for _ in 0..=portal.settings().throttle.free_failures() {
        if let Err(error) = portal.sign_in(&mut contact, "password guess 1", now, &mut rng) {
            refused(&error);
        }
    }
    if let Err(error) = portal.sign_in(&mut contact, CONTACT_PASSWORD, now, &mut rng) {
        refused(&error);
        show("(refused before the password was even checked)");
    }

    // ---- Security codes (seed 002) ---------------------------------------------
    step("Joe: Custom Fields > Edit > Security Code (seed 002)");
    let mut client = Client::new(1707);
    match portal.set_account_code(&mut client, joe.profile(), &access, "Joe-04-12-1985", now) {
        Err(error) => refused(&error),
        Ok(_) => return Err("a code with a date was accepted".into()),
    }
    show(portal.set_account_code(
        &mut client,
        joe.profile(),
        &access,
        "Lighthouse-42-Oak",
        now,
    )?);
    step("Contact Example 2 (Profile: View) sees the account-wide code");
    let seen = portal.view_account_code(&client, contact2.profile(), &access)?;
    show(format!(
        "Security Code: {}",
        seen.as_ref().map_or("(none)", |c| c.expose())
    ));
    step("Contact Example 2 before Joe allowed her Profile: View");
    match portal.view_account_code(&client, contact2.profile(), &no_access) {
        Err(error) => refused(&error),
        Ok(_) => return Err("the gate let a contact see the code".into()),
    }
    step("Joe creates an individual code for Contact Example 2");
    show(portal.set_contact_code(
        &mut contact2,
        joe.profile(),
        &access,
        "Marmot-Ridge-77",
        now,
    )?);
    step("Contact Example 2 (Manage Contacts: View and Update) changes it");
    let own = contact2.profile().clone();
    show(portal.set_contact_code(&mut contact2, &own, &access, "Copper-Kettle-19", now)?);
    step("Support: a caller says \"copper kettle nineteen\"... typed as heard");
    let whose = portal.verify_caller(
        &mut client,
        &[&joe, &contact, &contact2],
        "copper kettle 19",
        now,
    )?;
    show(format!("Verified: {whose:?}"));
    let whose = portal.verify_caller(
        &mut client,
        &[&joe, &contact, &contact2],
        "LIGHTHOUSE 42 OAK",
        now,
    )?;
    show(format!("Verified: {whose:?}"));

    // ---- Reset a password (seed 003) -------------------------------------------
    step("Contact Example: Reset Password (seed 003)");
    contact.unlock(); // the administrator's Unlock, after the guessing above
    let email = portal.request_password_reset(&mut contact, now, &mut rng)?;
    show(format!(
        "Email to {}: \"Your reset code is {}. This code will quickly expire.\"",
        email.destination,
        email.code.as_str()
    ));
    match portal.reset_password(
        &mut contact,
        email.code.as_str(),
        "contact.example",
        now + 30,
        &mut rng,
    ) {
        Err(error) => refused(&error),
        Ok(_) => return Err("a password equal to the username was accepted".into()),
    }
    show(portal.reset_password(
        &mut contact,
        email.code.as_str(),
        "Tulips on the balcony, seven of them",
        now + 60,
        &mut rng,
    )?);
    match portal.reset_password(
        &mut contact,
        email.code.as_str(),
        "Another fine passphrase here",
        now + 90,
        &mut rng,
    ) {
        Err(error) => refused(&error),
        Ok(_) => return Err("a used reset code was accepted".into()),
    }

    // ---- Password change revokes devices; disable two-factor (seed 000) --------------
    step("Joe changes his password: every remembered device is forgotten");
    now += 120;
    show(portal.change_password(
        &mut joe,
        JOE_PASSWORD,
        "A brand new passphrase for Joe",
        now,
        &mut rng,
    )?);
    let t = ticket(&portal, &mut joe, "A brand new passphrase for Joe", now)?;
    match portal.complete_sign_in(
        &mut joe,
        &t,
        SecondFactor::RememberedDevice(cookie.as_str()),
        false,
        now,
        &mut rng,
    ) {
        Err(error) => refused(&error),
        Ok(_) => return Err("a revoked device was accepted".into()),
    }
    step("Joe: Two-Factor: Click to disable (seed 000)");
    show(portal.disable_two_factor(
        &mut joe,
        "A brand new passphrase for Joe",
        now + 10,
        &mut rng,
    )?);
    if let PasswordStep::SignedIn(s) = portal.sign_in(
        &mut joe,
        "A brand new passphrase for Joe",
        now + 20,
        &mut rng,
    )? {
        show(format!(
            "Signed in (via {:?}): two-factor is no longer required",
            s.via
        ));
    }

    step("What a service stores for Joe (no plain secret in it)");
    let stored = serde_json::to_string(&joe)?;
    println!(
        "   {} bytes of JSON, beginning {}...",
        stored.len(),
        &stored[..60.min(stored.len())]
    );
    Ok(())
}
