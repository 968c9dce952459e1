package dev.backout.audit;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Recomputes the hash chain and checks each event's proof of authorship and the checkpoints.
 * The same algorithm serves the console (events from the database) and the command line (events
 * from an export), so an auditor can verify a trail without trusting the console. Without the
 * trail key only the chain can be checked: anyone can compute a hash, only the key holder a
 * signature.
 */
public final class TrailVerification {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * @param firstBadSeq the first sequence number where the trail is wrong; null when intact or
	 * when the checkpoint file, not the trail, is wrong
	 * @param withoutProof events that predate proofs of authorship (the first ones of an old trail)
	 * @param keyUsed whether authorship and checkpoints were checked
	 * @param coverage what anchors the verified events, for the summary
	 */
	public record Result(boolean intact, long verified, String headHash, Long firstBadSeq, String problem,
			int checkpointsChecked, long withoutProof, boolean keyUsed, String coverage) {

		public String describe() {
			if (!this.intact) {
				return ((this.firstBadSeq != null) ? "Broken at sequence " + this.firstBadSeq : "Broken checkpoints") + ": "
						+ this.problem;
			}
			StringBuilder text = new StringBuilder().append(this.verified).append(" events verified up to hash ").append(this.headHash);
			if (!this.keyUsed) {
				return text.append(" (the chain only: without the trail key neither authorship nor checkpoints are checked).").toString();
			}
			text.append((this.withoutProof == 0) ? "; each carries the console's proof of authorship"
					: "; the first " + this.withoutProof + " predate proofs of authorship, every later one carries the console's");
			return text.append("; ").append(this.coverage).append('.').toString();
		}

	}

	private TrailVerification() {
	}

	/**
	 * The whole trail, from event 1.
	 * @param log the checkpoint file; null when none is given (an export checked for its chain and proofs alone)
	 * @param key null to check the chain only
	 * @param lastWritten the last checkpoint the running console wrote, if it wrote one
	 */
	public static Result verify(Iterator<AuditEvent> events, TrailCheckpoints.Log log, TrailKey key,
			Optional<TrailCheckpoints.Checkpoint> lastWritten) {
		boolean checkpointsChecked = key != null && log != null;
		List<TrailCheckpoints.Checkpoint> checkpoints = checkpointsChecked ? log.checkpoints() : List.of();
		if (checkpointsChecked) {
			Optional<String> problem = checkpointProblem(log, key, lastWritten);
			if (problem.isPresent()) {
				return new Result(false, 0, null, null, problem.get(), 0, 0, true, null);
			}
		}
		Map<Long, TrailCheckpoints.Checkpoint> bySeq = new HashMap<>();
		checkpoints.forEach((checkpoint) -> bySeq.putIfAbsent(checkpoint.seq(), checkpoint));
		long lastNumber = checkpoints.isEmpty() ? 0 : checkpoints.get(checkpoints.size() - 1).number();
		Chain chain = new Chain(1, AuditHashing.GENESIS, key);
		Iterator<CheckedEvents.Checked> checked = new CheckedEvents(events, key);
		while (checked.hasNext()) {
			CheckedEvents.Checked next = checked.next();
			AuditEvent event = next.event();
			Optional<String> problem = chain.next(next);
			if (problem.isEmpty()) {
				TrailCheckpoints.Checkpoint checkpoint = bySeq.get(event.seq());
				if (checkpoint != null && !checkpoint.hash().equals(event.hash())) {
					problem = Optional.of("its hash differs from signed checkpoint " + checkpoint.number() + " taken at "
							+ checkpoint.at() + ": the trail up to here was rewritten.");
				}
				long recorded = recordedCheckpoint(event);
				if (checkpointsChecked && recorded > lastNumber) {
					problem = Optional.of("it records that checkpoint " + recorded + " was written, but the checkpoint file "
							+ ((lastNumber == 0) ? "holds none" : "ends at checkpoint " + lastNumber)
							+ ": checkpoint lines were removed.");
				}
			}
			if (problem.isPresent()) {
				return chain.broken(chain.at(event), problem.get());
			}
		}
		long last = chain.expected - 1;
		for (TrailCheckpoints.Checkpoint checkpoint : checkpoints) {
			if (checkpoint.seq() > last) {
				return chain.broken(last + 1, "the trail ends at sequence " + last + ", but signed checkpoint " + checkpoint.number()
						+ " taken at " + checkpoint.at() + " records sequence " + checkpoint.seq() + ": events " + (last + 1) + " to "
						+ checkpoint.seq() + " were deleted.");
			}
		}
		String coverage = !checkpointsChecked ? "checkpoints not checked (none given)" : checkpoints.isEmpty() ? "no checkpoint yet"
				: "consistent with " + checkpoints.size() + ((checkpoints.size() == 1) ? " signed checkpoint" : " signed checkpoints")
						+ ", the last number " + lastNumber + " taken at "
						+ checkpoints.get(checkpoints.size() - 1).at();
		return new Result(true, chain.verified, chain.previous, null, null, checkpoints.size(), chain.withoutProof, key != null, coverage);
	}

	/**
	 * One incident's export: its events in full and, in between and up to the covering checkpoint,
	 * the other events' links without their content. Verifies alone: the links' signatures prove
	 * that no event of the incident hides among them, the checkpoint that none was cut at the end.
	 */
	public static Result verifyIncident(long incidentId, Iterator<AuditEvent> lines, TrailCheckpoints.Checkpoint covering,
			TrailKey key) {
		if (!lines.hasNext()) {
			return new Result(false, 0, null, null, "the export holds no event of incident " + incidentId + ".", 0, 0, key != null, null);
		}
		AuditEvent first = lines.next();
		if (first.contentLeftOut() || !Long.valueOf(incidentId).equals(first.incidentId()) || !"INCIDENT_OPENED".equals(first.action())) {
			return new Result(false, 0, null, first.seq(), "the export does not begin with the opening of incident " + incidentId
					+ ": its first events are missing.", 0, 0, key != null, null);
		}
		Chain chain = new Chain(first.seq(), first.prevHash(), key);
		long ofIncident = 0;
		AuditEvent event = first;
		while (true) {
			Optional<String> problem = chain.next(CheckedEvents.Checked.of(event, key));
			if (problem.isEmpty() && !event.contentLeftOut() && !Long.valueOf(incidentId).equals(event.incidentId())) {
				problem = Optional.of("it belongs to " + ((event.incidentId() != null) ? "incident " + event.incidentId() : "no incident")
						+ ", not to incident " + incidentId + ".");
			}
			if (problem.isEmpty() && event.contentLeftOut() && Long.valueOf(incidentId).equals(event.incidentId())) {
				problem = Optional.of("it belongs to incident " + incidentId + ", but the export leaves its content out.");
			}
			if (problem.isPresent()) {
				return chain.broken(chain.at(event), problem.get());
			}
			ofIncident += event.contentLeftOut() ? 0 : 1;
			if (!lines.hasNext()) {
				break;
			}
			event = lines.next();
		}
		String coverage;
		if (key == null) {
			coverage = "";
		}
		else if (covering == null) {
			coverage = "anchored at sequence " + first.seq() + "; no checkpoint covers its last events yet, so a cut end would not show";
		}
		else if (!key.signed(covering)) {
			return chain.broken(event.seq(), "its covering checkpoint " + covering.number()
					+ " does not carry a valid signature (forged, or the wrong key).");
		}
		else if (covering.seq() != event.seq() || !covering.hash().equals(event.hash())) {
			return chain.broken(event.seq(), "the export ends here, but its covering checkpoint " + covering.number()
					+ " records sequence " + covering.seq() + " with another hash: events were cut or rewritten.");
		}
		else {
			coverage = "anchored at sequence " + first.seq() + " and covered by signed checkpoint " + covering.number()
					+ " taken at " + covering.at();
		}
		return new Result(true, ofIncident, chain.previous, null, null, (covering != null) ? 1 : 0, chain.withoutProof,
				key != null, "incident " + incidentId + " " + coverage);
	}

	/** Problems of the checkpoint file itself: malformed lines, bad signatures, gaps, broken links, cut lines. */
	private static Optional<String> checkpointProblem(TrailCheckpoints.Log log, TrailKey key,
			Optional<TrailCheckpoints.Checkpoint> lastWritten) {
		if (!log.malformed().isEmpty()) {
			return Optional.of(log.malformed().get(0) + ": the file was edited or damaged.");
		}
		TrailCheckpoints.Checkpoint previous = null;
		for (TrailCheckpoints.Checkpoint checkpoint : log.checkpoints()) {
			if (!key.signed(checkpoint)) {
				return Optional.of("checkpoint " + checkpoint.number() + " taken at " + checkpoint.at()
						+ " does not carry a valid signature (forged, or the wrong trail key).");
			}
			long expected = (previous != null) ? previous.number() + 1 : 1;
			if (checkpoint.number() > expected) {
				return Optional.of(((checkpoint.number() - expected == 1) ? "checkpoint " + expected + " is"
						: "checkpoints " + expected + " to " + (checkpoint.number() - 1) + " are")
						+ " missing from the checkpoint file: its lines were removed.");
			}
			if (checkpoint.number() < expected) {
				return Optional.of("checkpoint " + checkpoint.number() + " appears out of order or twice.");
			}
			String link = (previous != null) ? previous.mac() : AuditHashing.GENESIS;
			if (!link.equals(checkpoint.previous())) {
				return Optional.of("checkpoint " + checkpoint.number() + " does not link to the checkpoint before it.");
			}
			previous = checkpoint;
		}
		long inFile = (previous != null) ? previous.number() : 0;
		return lastWritten.filter((written) -> written.number() > inFile)
			.map((written) -> "this console wrote checkpoint " + written.number() + " at " + written.at()
					+ ", but the checkpoint file " + ((inFile == 0) ? "holds none" : "ends at checkpoint " + inFile)
					+ ": its last lines were removed.");
	}

	/** The checkpoint number an event records having written, or 0. */
	private static long recordedCheckpoint(AuditEvent event) {
		if (!TrailCheckpoints.WRITTEN.equals(event.action())) {
			return 0;
		}
		JsonNode number = JSON.readTree(event.details()).get("number");
		return (number != null && number.canConvertToLong()) ? number.asLong() : 0;
	}

	/** Walks links in order: position, link to the one before, content hash, signature. */
	private static final class Chain {

		private final TrailKey key;

		private long expected;

		private String previous;

		private long verified;

		private long withoutProof;

		private boolean proofsBegan;

		Chain(long first, String anchor, TrailKey key) {
			this.expected = first;
			this.previous = anchor;
			this.key = key;
		}

		Optional<String> next(CheckedEvents.Checked checked) {
			AuditEvent event = checked.event();
			if (event.seq() != this.expected) {
				return Optional.of((event.seq() > this.expected)
						? ((event.seq() - this.expected == 1) ? "event " + this.expected + " is missing"
								: "events " + this.expected + " to " + (event.seq() - 1) + " are missing") + " (deleted from the trail)."
						: "event " + event.seq() + " appears out of order or twice.");
			}
			if (!this.previous.equals(event.prevHash())) {
				return Optional.of("it does not link to the event before it (its previous-hash differs): events were reordered, "
						+ "replaced or removed.");
			}
			if (!checked.contentMatches()) {
				return Optional.of("its content does not match its hash: the event was altered.");
			}
			if (this.key != null) {
				if (event.mac() == null && (this.proofsBegan || event.contentLeftOut())) {
					return Optional.of("it carries no proof of authorship: the console did not write it (inserted with access "
							+ "to its database).");
				}
				if (event.mac() == null) {
					this.withoutProof++;
				}
				else if (!checked.proven()) {
					return Optional.of("its proof of authorship is wrong: the console did not write it (forged with access to "
							+ "its database), or this is not the trail's key.");
				}
				this.proofsBegan |= event.mac() != null;
			}
			this.previous = event.hash();
			this.verified++;
			this.expected++;
			return Optional.empty();
		}

		/** Where the trail goes wrong at this event: a gap is reported at its first missing number. */
		long at(AuditEvent event) {
			return Math.min(event.seq(), this.expected);
		}

		Result broken(long seq, String problem) {
			return new Result(false, this.verified, this.previous, seq, problem, 0, this.withoutProof, this.key != null, null);
		}

	}

}
