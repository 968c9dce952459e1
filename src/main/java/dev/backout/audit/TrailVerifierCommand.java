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
 * export or straight from the database, against the signed checkpoints.
 *
 * <pre>
 * verify-trail --file=trail.jsonl [--checkpoints=audit-checkpoints.jsonl --checkpoint-key=BASE64]
 * verify-trail --url=jdbc:postgresql://host/db --user=auditor [--password=…] [--checkpoints=… --checkpoint-key=…]
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
			List<TrailCheckpoints.Checkpoint> checkpoints = options.containsKey("checkpoints")
					? TrailCheckpoints.read(Path.of(options.get("checkpoints"))) : List.of();
			if (!checkpoints.isEmpty() && !options.containsKey("checkpoint-key")) {
				return usage(out, "Checkpoints need --checkpoint-key to check their signatures.");
			}
			byte[] key = options.containsKey("checkpoint-key") ? TrailVerification.decodeKey(options.get("checkpoint-key")) : null;
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
				+ "[--password=P] [--checkpoints=audit-checkpoints.jsonl --checkpoint-key=BASE64]");
		return 2;
	}

}
