package dev.backout.audit;

import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Verification re-canonicalizes each event's details by walking the parser's tokens, and quotes
 * plain strings itself. Both must agree byte for byte with the object mapper that canonicalized
 * the details when the event was appended, or a sound trail would read as tampered with.
 */
class AuditHashingTests {

	/** The mapper as the append path configures it: the oracle. */
	static final JsonMapper MAPPER = JsonMapper.builder()
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.build();

	@Test
	void everyCharacterIsQuotedAsTheMapperQuotesIt() {
		for (int c = 0; c <= Character.MAX_VALUE; c++) {
			String text = "a" + (char) c + "b";
			assertThat(AuditHashing.quote(text)).as("U+%04X", c).isEqualTo(MAPPER.writeValueAsString(text));
		}
		assertThat(AuditHashing.quote("😀 \"quoted\" \\ tab\t")).isEqualTo(MAPPER.writeValueAsString("😀 \"quoted\" \\ tab\t"));
		assertThat(AuditHashing.quote(null)).isEqualTo("null");
	}

	@Test
	void timesArePrintedAsThePatternPrintsThem() {
		DateTimeFormatter pattern = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
		Random random = new Random(20261206);
		List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("1000-01-01T00:00:00Z"),
				Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("0999-12-31T23:59:59.5Z"),
				Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("-0001-06-01T12:00:00.000001Z")));
		for (int i = 0; i < 100_000; i++) {
			instants.add(Instant.ofEpochSecond(random.nextLong(-40_000_000_000L, 260_000_000_000L), random.nextInt(1_000_000_000)));
		}
		instants.forEach((instant) -> assertThat(AuditHashing.formatTime(instant)).as(instant.toString())
			.isEqualTo(pattern.format(instant)));
	}

	@Test
	void detailsAsTheDatabasePrintsThemComeBackInTheFormTheyWereHashedIn() {
		Random random = new Random(20261206);
		for (int i = 0; i < 5_000; i++) {
			Map<String, Object> details = object(random, 0);
			String hashedAtAppend = AuditHashing.canonicalDetails(details);
			assertThat(AuditHashing.canonicalDetailsJson(asDatabasePrints(details, random))).as(hashedAtAppend)
				.isEqualTo(hashedAtAppend);
		}
	}

	@Test
	void documentsOutsideTheFastPathGoTheMappersWay() {
		for (String json : List.of("{\"b\": 1.50, \"a\": [2.0e3, -0.0]}", "{\"n\": -0}", "{}", "[]", "{\"a\": {}, \"b\": []}",
				"{\"big\": 123456789012345678901234567890, \"neg\": -9223372036854775809}", "\"text\"", "17", "null")) {
			assertThat(AuditHashing.canonicalDetailsJson(json)).as(json)
				.isEqualTo(MAPPER.writeValueAsString(MAPPER.readValue(json, Object.class)));
		}
	}

	private static Map<String, Object> object(Random random, int depth) {
		Map<String, Object> object = new LinkedHashMap<>();
		int members = random.nextInt(depth == 0 ? 8 : 4);
		for (int i = 0; i < members; i++) {
			object.put(text(random, 1 + random.nextInt(10)), value(random, depth + 1));
		}
		return object;
	}

	private static Object value(Random random, int depth) {
		return switch (random.nextInt(depth < 3 ? 9 : 7)) {
			case 0 -> text(random, random.nextInt(40));
			case 1 -> random.nextInt();
			case 2 -> random.nextLong();
			case 3 -> new BigInteger(90, random).negate();
			case 4 -> random.nextBoolean();
			case 5 -> null;
			case 6 -> "plain " + random.nextInt(1000);
			case 7 -> object(random, depth);
			default -> {
				List<Object> list = new ArrayList<>();
				for (int i = random.nextInt(5); i > 0; i--) {
					list.add(value(random, depth + 1));
				}
				yield list;
			}
		};
	}

	/** Letters of both cases, digits, punctuation, escapes, accents, CJK and a surrogate pair. */
	private static String text(Random random, int length) {
		String alphabet = "abcXYZ019_-./:\"\\\t\n\u0001\u001f\u007féÉ€中😀 ";
		StringBuilder text = new StringBuilder();
		while (text.length() < length) {
			int at = random.nextInt(alphabet.length());
			text.append(Character.isSurrogate(alphabet.charAt(at)) ? "😀" : String.valueOf(alphabet.charAt(at)));
		}
		return text.toString();
	}

	/** As jsonb prints: members in another order, a space after every colon and comma. */
	private static String asDatabasePrints(Object value, Random random) {
		if (value instanceof Map<?, ?> map) {
			List<String> members = new ArrayList<>();
			map.forEach((name, member) -> members.add(MAPPER.writeValueAsString(name) + ": " + asDatabasePrints(member, random)));
			Collections.shuffle(members, random);
			return "{" + String.join(", ", members) + "}";
		}
		if (value instanceof List<?> list) {
			List<String> items = new ArrayList<>();
			list.forEach((item) -> items.add(asDatabasePrints(item, random)));
			return "[" + String.join(", ", items) + "]";
		}
		return MAPPER.writeValueAsString(value);
	}

}
