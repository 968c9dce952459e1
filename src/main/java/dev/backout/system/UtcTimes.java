package dev.backout.system;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.thymeleaf.context.IExpressionContext;
import org.thymeleaf.dialect.AbstractDialect;
import org.thymeleaf.dialect.IExpressionObjectDialect;
import org.thymeleaf.expression.IExpressionObjectFactory;

import org.springframework.stereotype.Component;

/**
 * {@code #utc.format(instant, 'yyyy-MM-dd HH:mm')} in templates: the console shows every instant in
 * UTC. Thymeleaf's {@code #temporals.format} parses its pattern into a new formatter on every call,
 * and history pages format a few hundred times each; here each pattern is parsed once.
 */
@Component
public class UtcTimes extends AbstractDialect implements IExpressionObjectDialect {

	private static final Formats FORMATS = new Formats();

	public UtcTimes() {
		super("utc");
	}

	@Override
	public IExpressionObjectFactory getExpressionObjectFactory() {
		return new IExpressionObjectFactory() {

			@Override
			public Set<String> getAllExpressionObjectNames() {
				return Set.of("utc");
			}

			@Override
			public Object buildObject(IExpressionContext context, String name) {
				return FORMATS;
			}

			@Override
			public boolean isCacheable(String name) {
				return true;
			}

		};
	}

	/** The object templates see as {@code #utc}. */
	public static final class Formats {

		private final Map<String, DateTimeFormatter> formatters = new ConcurrentHashMap<>();

		/** The instant in UTC by {@code pattern} ({@link DateTimeFormatter} letters); nothing for no instant. */
		public String format(Instant time, String pattern) {
			if (time == null) {
				return null;
			}
			return this.formatters.computeIfAbsent(pattern, (letters) -> DateTimeFormatter.ofPattern(letters).withZone(ZoneOffset.UTC))
				.format(time);
		}

	}

}
