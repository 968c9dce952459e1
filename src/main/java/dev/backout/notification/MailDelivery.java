package dev.backout.notification;

/** One e-mail to one person, stored until the mail server took it. */
record MailDelivery(String messageId, long incidentId, String to, String subject, String text) {
}
