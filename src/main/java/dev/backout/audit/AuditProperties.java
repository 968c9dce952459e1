package dev.backout.audit;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param checkpointKey base64 HMAC key that signs checkpoints ({@code BACKOUT_AUDIT_CHECKPOINT_KEY});
 * keep it outside the console database
 * @param checkpointKeyFile where a key is generated when none is configured
 * @param checkpointFile where signed checkpoints are appended (outside the database)
 */
@ConfigurationProperties("backout.audit")
record AuditProperties(String checkpointKey, @DefaultValue("./data/checkpoint.key") Path checkpointKeyFile,
		@DefaultValue("./data/audit-checkpoints.jsonl") Path checkpointFile) {
}
