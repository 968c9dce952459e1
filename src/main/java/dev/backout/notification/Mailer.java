package dev.backout.notification;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/** Hands one stored e-mail to the mail server; a refusal or a dead server leaves it to be retried. */
@Component
@ConditionalOnProperty("spring.mail.host")
class Mailer {

	private static final Logger log = LoggerFactory.getLogger(Mailer.class);

	private final JavaMailSender mail;

	private final MailProperties properties;

	Mailer(JavaMailSender mail, MailProperties properties) {
		this.mail = mail;
		this.properties = properties;
	}

	@ApplicationModuleListener
	void send(MailDelivery delivery) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom(this.properties.from());
		message.setTo(delivery.to());
		message.setSubject(delivery.subject());
		message.setText(delivery.text());
		try {
			this.mail.send(message);
		}
		catch (MailException ex) {
			log.warn("Mail {} for incident {} not sent, to be retried: {}", delivery.messageId(), delivery.incidentId(),
					ex.getClass().getSimpleName());
			throw ex;
		}
	}

}
