package dev.backout.audit;

import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The work of verification that needs no other event: each event's details put in canonical
 * form, its hash recomputed from its content and its proof of authorship checked, for a batch on other threads while this thread
 * reads the next batch. The chain itself (sequence numbers, links, checkpoints) is still walked
 * one event after the other by {@link TrailVerification}.
 */
final class CheckedEvents implements Iterator<CheckedEvents.Checked> {

	static final int BATCH = 4096;

	private final Iterator<AuditEvent> events;

	private final TrailKey key;

	private CompletableFuture<List<Checked>> ahead;

	private Iterator<Checked> current = Collections.emptyIterator();

	CheckedEvents(Iterator<AuditEvent> events, TrailKey key) {
		this.events = events;
		this.key = key;
		this.ahead = check(read());
	}

	@Override
	public boolean hasNext() {
		while (!this.current.hasNext()) {
			if (this.ahead == null) {
				return false;
			}
			List<AuditEvent> following = read(); // while the batch before it is being checked
			try {
				this.current = this.ahead.join().iterator();
			}
			catch (CompletionException ex) {
				throw (ex.getCause() instanceof RuntimeException cause) ? cause : ex;
			}
			this.ahead = check(following);
		}
		return true;
	}

	@Override
	public Checked next() {
		if (!hasNext()) {
			throw new NoSuchElementException();
		}
		return this.current.next();
	}

	private List<AuditEvent> read() {
		List<AuditEvent> batch = new ArrayList<>(BATCH);
		while (batch.size() < BATCH && this.events.hasNext()) {
			batch.add(this.events.next());
		}
		return batch;
	}

	private CompletableFuture<List<Checked>> check(List<AuditEvent> batch) {
		if (batch.isEmpty()) {
			return null;
		}
		return CompletableFuture.supplyAsync(() -> batch.parallelStream().map((event) -> Checked.of(event, this.key)).toList());
	}

	/** One event with what could be checked of it alone. */
	record Checked(AuditEvent event, boolean contentMatches, boolean proven) {

		/** {@code stored}'s details may be as the database prints them; they are put in canonical form here. */
		static Checked of(AuditEvent stored, TrailKey key) {
			AuditEvent event = stored.withCanonicalDetails();
			return new Checked(event, contentMatches(event), key != null && key.proves(event));
		}

		/** A time the hash cannot print (infinity, stored by hand) is content the console never wrote. */
		private static boolean contentMatches(AuditEvent event) {
			try {
				return event.contentLeftOut() || AuditHashing.hash(event.seq(), event.occurredAt(), event.actor(), event.actorRoles(),
						event.incidentId(), event.action(), event.details(), event.prevHash()).equals(event.hash());
			}
			catch (DateTimeException ex) {
				return false;
			}
		}

	}

}
