//! QR codes of otpauth URIs, for authenticator apps to scan (feature `qr`).

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::uri::KeyUri;

impl KeyUri {
    /// The URI as a QR code in SVG text, ready to embed in a page.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::generate(), Some("Vivio Portal"), "joe@example.com")?;
    /// let svg = uri.qr_svg()?;
    /// assert!(svg.starts_with("<?xml"));
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Qr`] when the URI is too long for a QR code.
    pub fn qr_svg(&self) -> Result<Zeroizing<String>> {
        let code = encode(&self.to_uri())?;
        Ok(Zeroizing::new(
            code.render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build(),
        ))
    }

    /// The URI as a QR code drawn with Unicode half blocks, two rows of
    /// modules per line, for a terminal with a dark background: light
    /// modules and the quiet zone scanners need are drawn as blocks, dark
    /// modules are left as the background.
    ///
    /// # Errors
    ///
    /// [`Error::Qr`] when the URI is too long for a QR code.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::generate(), Some("Vivio Portal"), "joe")?;
    /// let blocks = uri.qr_terminal()?;
    /// assert!(blocks.lines().count() > 10);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    pub fn qr_terminal(&self) -> Result<Zeroizing<String>> {
        let code = encode(&self.to_uri())?;
        Ok(Zeroizing::new(
            code.render::<unicode::Dense1x2>()
                .dark_color(unicode::Dense1x2::Light)
                .light_color(unicode::Dense1x2::Dark)
                .quiet_zone(true)
                .build(),
        ))
    }
}

fn encode(text: &str) -> Result<QrCode> {
    // Medium error correction: the URI stays small enough to scan off a screen.
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|error| Error::Qr {
        reason: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    #[test]
    fn renders_and_refuses_overlong_text() {
        let uri =
            KeyUri::new_totp(&Secret::generate(), Some("Vivio Portal"), "joe@example.com").unwrap();
        let terminal = uri.qr_terminal().unwrap();
        assert!(terminal.lines().count() > 10);
        assert!(uri.qr_svg().unwrap().contains("<svg"));
        // The longest secret and names: about 2,440 bytes, more than the 2,331 a QR
        // code holds at medium error correction.
        let secret = Secret::from_bytes(&[7; Secret::MAX_BITS / 8]).unwrap();
        let name = "x".repeat(crate::MAX_NAME_LEN);
        let long = KeyUri::new_totp(&secret, Some(&name), &name).unwrap();
        assert!(matches!(long.qr_svg(), Err(Error::Qr { .. })));
    }
}
