package dev.backout.audit;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code java -jar backout.jar verify-trail …}: verifies a trail outside the console, from an
 * export (the whole trail, or one incident's) or straight from the database. With the trail key
 * it also checks every event's proof of authorship and the signed checkpoints.
 *
 * <pre>
 * verify-trail --file=trail.jsonl [--key=BASE64 [--checkpoints=audit-checkpoints.jsonl]]
 * verify-trail --file=trail-incident-42.jsonl [--key=BASE64]
 * verify-trail --url=jdbc:postgresql://host/db --user=auditor [--password=…] [--key=… --checkpoints=…]
 * </pre>
 * Exit code 0: intact; 1: broken; 2: wrong usage.
 */
public final class TrailVerifierCommand {

	private TrailVerifierCommand() {
	}

	public static int run(String[] args, PrintStream out) {
		Map<String, String> options = new HashMap<>();
		for (String arg : args) {
			if (!arg.startsWith("--") || !arg.contains("=")) {
				return usage(out, "Unknown argument: " + arg);
			}
			options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
		}
		try {
			if (options.containsKey("checkpoints") && !options.containsKey("key")) {
				return usage(out, "Checkpoints need --key (the trail key) to check their signatures.");
			}
			TrailCheckpoints.Log checkpoints = options.containsKey("checkpoints")
					? TrailCheckpoints.read(Path.of(options.get("checkpoints"))) : null;
			TrailKey key = options.containsKey("key") ? TrailKey.of(options.get("key")) : null;
			TrailVerification.Result result;
			if (options.containsKey("file")) {
				Path file = Path.of(options.get("file"));
				if (!Files.isReadable(file)) {
					return usage(out, "Cannot read " + file);
				}
				result = TrailVerifier.verifyExport(file, checkpoints, key);
			}
			else if (options.containsKey("url")) {
				PGSimpleDataSource dataSource = new PGSimpleDataSource();
				dataSource.setUrl(options.get("url"));
				dataSource.setUser(options.getOrDefault("user", ""));
				dataSource.setPassword(options.getOrDefault("password", ""));
				result = TrailVerifier.verify(dataSource, checkpoints, key);
			}
			else {
				return usage(out, "Say what to verify: --file=export.jsonl or --url=jdbc:postgresql://…");
			}
			out.println(result.describe());
			return result.intact() ? 0 : 1;
		}
		catch (Exception ex) {
			out.println("Cannot verify: " + ex.getMessage());
			return 2;
		}
	}

	private static int usage(PrintStream out, String problem) {
		out.println(problem);
		out.println("Usage: java -jar backout.jar verify-trail --file=trail.jsonl | --url=jdbc:postgresql://host/db --user=U "
				+ "[--password=P] [--key=BASE64 [--checkpoints=audit-checkpoints.jsonl]]");
		return 2;
	}

}
