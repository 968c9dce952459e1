package dev.backout.audit;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The canonical serialization of an event and its SHA-256 link hash, as documented in
 * {@code docs/audit-trail.md}. Writing and verifying must agree byte for byte, so both go
 * through here.
 */
final class AuditHashing {

	static final String GENESIS = "0".repeat(64);

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
		.withZone(ZoneOffset.UTC);

	private static final JsonMapper CANONICAL = JsonMapper.builder()
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.build();

	private AuditHashing() {
	}

	/** Details as canonical JSON: keys sorted at every level, no insignificant white space. */
	static String canonicalDetails(Object details) {
		JsonNode tree = CANONICAL.valueToTree(details);
		return CANONICAL.writeValueAsString(CANONICAL.treeToValue(tree, Object.class));
	}

	/** Re-canonicalizes details read back from the database (jsonb reorders keys). */
	static String canonicalDetailsJson(String json) {
		return CANONICAL.writeValueAsString(CANONICAL.readValue(json, Object.class));
	}

	static String hash(long seq, Instant occurredAt, String actor, String actorRoles, Long incidentId,
			String action, String canonicalDetails, String prevHash) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("action", action);
		body.put("actor", actor);
		body.put("actorRoles", actorRoles);
		body.put("details", CANONICAL.readTree(canonicalDetails));
		body.put("incidentId", incidentId);
		body.put("occurredAt", TIME.format(occurredAt));
		body.put("seq", BigDecimal.valueOf(seq));
		String canonical = CANONICAL.writeValueAsString(body);
		return sha256(prevHash + "\n" + canonical);
	}

	static String sha256(String text) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JRE", ex);
		}
	}

}
