package dev.backout.audit;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param key base64 HMAC key that signs every event and checkpoint ({@code BACKOUT_AUDIT_KEY});
 * keep it outside the console database and its host's backups
 * @param keyFile where a key is generated when none is configured
 * @param checkpointFile where signed checkpoints are appended (outside the database)
 */
@ConfigurationProperties("backout.audit")
record AuditProperties(String key, @DefaultValue("./data/trail.key") Path keyFile,
		@DefaultValue("./data/audit-checkpoints.jsonl") Path checkpointFile) {
}
