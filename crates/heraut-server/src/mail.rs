//! SMTP delivery of the core's e-mail.

use anyhow::Context;
use async_trait::async_trait;
use heraut_config::SmtpConfig;
use heraut_core::mail::{Mailer, OutgoingMail};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// A mailer for `config`, or `None` when no SMTP host is configured.
    pub fn from_config(config: &SmtpConfig) -> anyhow::Result<Option<Self>> {
        let Some(host) = &config.host else {
            return Ok(None);
        };
        let builder = match config.security.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
        };
        // Each kind of connection brings its usual port; only a configured one replaces it.
        let mut builder = builder.timeout(Some(std::time::Duration::from_secs(30)));
        if let Some(port) = config.port {
            builder = builder.port(port);
        }
        if let Some(user) = &config.username {
            let password = config
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let from: Mailbox = config
            .from
            .parse()
            .with_context(|| format!("smtp.from `{}` is not an e-mail address", config.from))?;
        Ok(Some(Self {
            transport: builder.build(),
            from,
        }))
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: OutgoingMail) -> Result<(), String> {
        let to: Mailbox = mail.to.parse().map_err(|e| format!("recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .body(mail.body)
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
