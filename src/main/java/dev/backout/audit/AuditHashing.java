package dev.backout.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

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

	static String formatTime(Instant instant) {
		return TIME.format(instant);
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

	/**
	 * SHA-256 of {@code prevHash + "\n" + body}, where body is the JSON object of the event with
	 * keys in this (sorted) order: action, actor, actorRoles, details, incidentId, occurredAt, seq.
	 * Built directly rather than through a map, because verification hashes millions of events.
	 */
	static String hash(long seq, Instant occurredAt, String actor, String actorRoles, Long incidentId,
			String action, String canonicalDetails, String prevHash) {
		String canonical = "{\"action\":" + quote(action) + ",\"actor\":" + quote(actor) + ",\"actorRoles\":"
				+ quote(actorRoles) + ",\"details\":" + canonicalDetails + ",\"incidentId\":"
				+ ((incidentId != null) ? incidentId.toString() : "null") + ",\"occurredAt\":" + quote(TIME.format(occurredAt))
				+ ",\"seq\":" + seq + "}";
		return sha256(prevHash + "\n" + canonical);
	}

	private static String quote(String text) {
		return (text != null) ? CANONICAL.writeValueAsString(text) : "null";
	}

	static String sha256(String text) {
		return HexFormat.of().formatHex(DIGESTS.get().digest(text.getBytes(StandardCharsets.UTF_8)));
	}

	/** One digest per thread (verification hashes on several): looking one up costs more than a hash. */
	private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(() -> {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JRE", ex);
		}
	});

}
