//! E-mail to people: invitations and password resets. The core composes the message; how it is
//! delivered (SMTP) is the binary's business, behind the `Mailer` trait.

use async_trait::async_trait;

/// One message to one person, plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Delivers e-mail.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: OutgoingMail) -> Result<(), String>;
}

/// Why a set-password token is sent.
#[derive(Debug, Clone, Copy)]
pub enum TokenMail<'a> {
    /// A new member of the tenant named here.
    Invitation { tenant_name: &'a str },
    /// A forgotten password.
    Reset,
}

/// The message that carries a set-password token: with the installation's address known, a link
/// to the web UI's set-password page with the token in the fragment (which browsers never send,
/// so it stays out of server and proxy logs), and the token itself for scripts.
pub fn set_password_mail(
    to: &str,
    token: &str,
    kind: TokenMail<'_>,
    public_url: Option<&str>,
    valid_hours: u64,
) -> OutgoingMail {
    let (subject, opening) = match kind {
        TokenMail::Invitation { tenant_name } => (
            format!("You are invited to {tenant_name} on Heraut"),
            format!("You have been added to {tenant_name} on Heraut. Choose a password to start."),
        ),
        TokenMail::Reset => (
            "Choose a new Heraut password".to_owned(),
            "A new password was requested for your Heraut account.".to_owned(),
        ),
    };
    let link = public_url
        .map(|u| {
            let u = u.trim_end_matches('/');
            format!("\n\nHeraut: {u}\nChoose your password here: {u}/set-password#token={token}")
        })
        .unwrap_or_default();
    let body = format!(
        "{opening}{link}\n\nYour one-time token: {token}\n\nIt works once and for {valid_hours} hours. \
         If you did not expect this message, you can ignore it.\n"
    );
    OutgoingMail {
        to: to.to_owned(),
        subject,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_names_tenant_token_and_link() {
        let m = set_password_mail(
            "ada@example.gov",
            "tok",
            TokenMail::Invitation {
                tenant_name: "Gemeente Utrecht",
            },
            Some("https://heraut.example.gov/"),
            168,
        );
        assert!(m.subject.contains("Gemeente Utrecht"));
        assert!(m.body.contains("Heraut: https://heraut.example.gov\n"));
        assert!(
            m.body
                .contains("here: https://heraut.example.gov/set-password#token=tok\n"),
            "{}",
            m.body
        );
        assert!(m.body.contains("one-time token: tok"));
        assert!(m.body.contains("168 hours"));
    }
}
