/**
 * Telling people and systems what happens to incidents: webhooks signed as Standard Webhooks
 * describes, Slack and Microsoft Teams messages with a link to the page. Each delivery is stored
 * with the change that causes it (Spring Modulith's event publication registry on JDBC) and retried
 * with back-off until delivered, across restarts and instances.
 */
package dev.backout.notification;
