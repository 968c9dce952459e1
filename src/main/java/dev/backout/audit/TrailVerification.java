package dev.backout.audit;

import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Recomputes the hash chain from the first event and checks it against the checkpoints. The
 * same algorithm serves the console (events from the database) and the command line (events
 * from an export), so an auditor can verify a trail without trusting the console.
 */
public final class TrailVerification {

	/**
	 * @param firstBadSeq the first sequence number where the trail is wrong, or null when intact
	 */
	public record Result(boolean intact, long verified, String headHash, Long firstBadSeq, String problem,
			int checkpointsChecked) {

		public String describe() {
			if (this.intact) {
				return this.verified + " events verified up to hash " + this.headHash
						+ ((this.checkpointsChecked > 0) ? ", consistent with " + this.checkpointsChecked + " signed checkpoints." : ".");
			}
			return "Broken at sequence " + this.firstBadSeq + ": " + this.problem;
		}

	}

	private TrailVerification() {
	}

	public static Result verify(Iterator<AuditEvent> events, List<TrailCheckpoints.Checkpoint> checkpoints, byte[] checkpointKey) {
		Map<Long, TrailCheckpoints.Checkpoint> bySeq = new HashMap<>();
		for (TrailCheckpoints.Checkpoint checkpoint : checkpoints) {
			if (checkpointKey == null || !TrailCheckpoints.macOf(checkpointKey, checkpoint.seq(), checkpoint.hash(), checkpoint.at())
				.equals(checkpoint.mac())) {
				return broken(0, null, checkpoint.seq(), "the checkpoint of sequence " + checkpoint.seq() + " taken at "
						+ checkpoint.at() + " does not carry a valid signature (forged, or the wrong checkpoint key).", 0);
			}
			bySeq.merge(checkpoint.seq(), checkpoint, (a, b) -> a);
		}
		long expected = 1;
		String previous = AuditHashing.GENESIS;
		long verified = 0;
		while (events.hasNext()) {
			AuditEvent event = events.next();
			if (event.seq() != expected) {
				return (event.seq() > expected)
						? broken(verified, previous, expected, (event.seq() - expected == 1 ? "event " + expected + " is missing"
								: "events " + expected + " to " + (event.seq() - 1) + " are missing") + " (deleted from the trail).", 0)
						: broken(verified, previous, event.seq(), "event " + event.seq() + " appears out of order or twice.", 0);
			}
			if (!previous.equals(event.prevHash())) {
				return broken(verified, previous, event.seq(), "it does not link to the event before it (its previous-hash "
						+ "differs): events were reordered, replaced or removed.", 0);
			}
			String recomputed = AuditHashing.hash(event.seq(), event.occurredAt(), event.actor(), event.actorRoles(),
					event.incidentId(), event.action(), event.details(), event.prevHash());
			if (!recomputed.equals(event.hash())) {
				return broken(verified, previous, event.seq(), "its content does not match its hash: the event was altered.", 0);
			}
			TrailCheckpoints.Checkpoint checkpoint = bySeq.get(event.seq());
			if (checkpoint != null && !checkpoint.hash().equals(event.hash())) {
				return broken(verified, previous, event.seq(), "its hash differs from the signed checkpoint taken at "
						+ checkpoint.at() + ": the trail up to here was rewritten.", 0);
			}
			previous = event.hash();
			verified++;
			expected++;
		}
		long last = expected - 1;
		for (TrailCheckpoints.Checkpoint checkpoint : checkpoints) {
			if (checkpoint.seq() > last) {
				return broken(verified, previous, last + 1, "the trail ends at sequence " + last + ", but a signed checkpoint taken at "
						+ checkpoint.at() + " records sequence " + checkpoint.seq() + ": events " + (last + 1) + " to "
						+ checkpoint.seq() + " were deleted.", 0);
			}
		}
		return new Result(true, verified, previous, null, null, checkpoints.size());
	}

	private static Result broken(long verified, String head, long seq, String problem, int checkpoints) {
		return new Result(false, verified, head, seq, problem, checkpoints);
	}

	static byte[] decodeKey(String base64) {
		return Base64.getDecoder().decode(base64.trim());
	}


}
