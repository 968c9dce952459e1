package dev.backout.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.StringJoiner;
import java.util.TreeMap;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
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

	/**
	 * The instant as {@code uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'}. Years of four digits are printed by
	 * hand: the formatter cost more than the hash each event needs it for.
	 */
	static String formatTime(Instant instant) {
		LocalDateTime utc = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
		if (utc.getYear() < 1000 || utc.getYear() > 9999) {
			return TIME.format(instant);
		}
		char[] time = "0000-00-00T00:00:00.000000Z".toCharArray();
		digits(time, 0, utc.getYear(), 4);
		digits(time, 5, utc.getMonthValue(), 2);
		digits(time, 8, utc.getDayOfMonth(), 2);
		digits(time, 11, utc.getHour(), 2);
		digits(time, 14, utc.getMinute(), 2);
		digits(time, 17, utc.getSecond(), 2);
		digits(time, 20, utc.getNano() / 1000, 6); // truncated to microseconds, as the pattern does
		return new String(time);
	}

	private static void digits(char[] into, int at, int value, int width) {
		for (int i = at + width - 1; i >= at; i--) {
			into[i] = (char) ('0' + value % 10);
			value /= 10;
		}
	}

	/** Details as canonical JSON: keys sorted at every level, no insignificant white space. */
	static String canonicalDetails(Object details) {
		JsonNode tree = CANONICAL.valueToTree(details);
		return CANONICAL.writeValueAsString(CANONICAL.treeToValue(tree, Object.class));
	}

	/**
	 * Re-canonicalizes details read back from the database (jsonb reorders keys and adds spaces).
	 * Verification does this for every event, so it walks the parser's tokens where the mapper
	 * would build maps and a serializer per call; a document with a float (the console writes
	 * none) goes the mapper's way, so both always print a number alike.
	 */
	static String canonicalDetailsJson(String json) {
		try (JsonParser parser = CANONICAL.createParser(json)) {
			parser.nextToken();
			String canonical = canonicalValue(parser);
			if (canonical != null && parser.nextToken() == null) {
				return canonical;
			}
		}
		return CANONICAL.writeValueAsString(CANONICAL.readValue(json, Object.class));
	}

	/** The value at the parser's token in canonical form; null for a float, left to the mapper. */
	private static String canonicalValue(JsonParser parser) {
		return switch (parser.currentToken()) {
			case START_OBJECT -> {
				TreeMap<String, String> members = new TreeMap<>(); // the mapper sorts keys the same way
				while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
					String name = parser.currentName();
					parser.nextToken();
					String value = canonicalValue(parser);
					if (value == null) {
						yield null;
					}
					members.put(name, value);
				}
				StringJoiner object = new StringJoiner(",", "{", "}");
				members.forEach((name, value) -> object.add(quote(name) + ":" + value));
				yield object.toString();
			}
			case START_ARRAY -> {
				StringJoiner array = new StringJoiner(",", "[", "]");
				while (parser.nextToken() != JsonToken.END_ARRAY) {
					String value = canonicalValue(parser);
					if (value == null) {
						yield null;
					}
					array.add(value);
				}
				yield array.toString();
			}
			case VALUE_STRING -> quote(parser.getString());
			case VALUE_NUMBER_INT -> parser.getNumberValue().toString();
			case VALUE_TRUE -> "true";
			case VALUE_FALSE -> "false";
			case VALUE_NULL -> "null";
			default -> null;
		};
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
				+ ((incidentId != null) ? incidentId.toString() : "null") + ",\"occurredAt\":" + quote(formatTime(occurredAt))
				+ ",\"seq\":" + seq + "}";
		return sha256(prevHash + "\n" + canonical);
	}

	/**
	 * A JSON string as the mapper writes it. Text with nothing to escape (names, roles, actions,
	 * nearly all values) is quoted as is: a generator per string cost more than the hash.
	 */
	static String quote(String text) {
		if (text == null) {
			return "null";
		}
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20 || c == '"' || c == '\\') {
				return CANONICAL.writeValueAsString(text);
			}
		}
		return '"' + text + '"';
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
