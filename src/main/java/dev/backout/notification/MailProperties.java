package dev.backout.notification;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * E-mail is sent when {@code spring.mail.host} names the company's mail server.
 *
 * @param from the sender of the console's mails
 */
@ConfigurationProperties("backout.mail")
record MailProperties(@DefaultValue("backout@localhost") String from) {
}
