package dev.backout.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The console's sessions, kept by Spring Session JDBC and asked as little as a request allows.
 * Spring Session reads a session in a transaction of its own and writes its last access on every
 * request; every request is a session read and a polled page makes many. Here a read is one
 * statement in auto-commit; the last access is written only once it moved by
 * {@link #ACCESS_PRECISION} (sessions last hours: ending one up to a minute early is of no account),
 * and a session nothing changed in is not written at all. What is written (a new session, a new
 * id, attributes, a removal) is written in one transaction, as before.
 */
final class SessionStore implements SessionRepository<SessionStore.StoredSession> {

	static final Duration ACCESS_PRECISION = Duration.ofMinutes(1);

	/** Spring Session JDBC's repository, as its interface sees it (its session class is not public). */
	private final SessionRepository<Session> sessions;

	private final TransactionOperations writes;

	/**
	 * @param sessions Spring Session's repository, made with transactions that only join one
	 * already running (propagation SUPPORTS), so its reads run alone and its writes in ours
	 * @param writes a new transaction for each write
	 */
	@SuppressWarnings("unchecked")
	SessionStore(JdbcIndexedSessionRepository sessions, TransactionOperations writes) {
		this.sessions = (SessionRepository<Session>) (SessionRepository<?>) sessions;
		this.writes = writes;
	}

	@Override
	public StoredSession createSession() {
		return new StoredSession(this.sessions.createSession(), true);
	}

	@Override
	public void save(StoredSession session) {
		if (session.unwritten) {
			this.writes.executeWithoutResult((status) -> this.sessions.save(session.stored));
			session.unwritten = false;
		}
	}

	@Override
	public StoredSession findById(String id) {
		Session stored = this.sessions.findById(id);
		return (stored != null) ? new StoredSession(stored, false) : null;
	}

	@Override
	public void deleteById(String id) {
		this.writes.executeWithoutResult((status) -> this.sessions.deleteById(id));
	}

	/**
	 * A stored session that notes whether anything was changed in it since it was read or last
	 * written. It relies on Spring Session's default save mode (only set attributes are written), so
	 * reading an attribute changes nothing.
	 */
	static final class StoredSession implements Session {

		private final Session stored;

		private boolean unwritten;

		StoredSession(Session stored, boolean unwritten) {
			this.stored = stored;
			this.unwritten = unwritten;
		}

		@Override
		public String getId() {
			return this.stored.getId();
		}

		@Override
		public String changeSessionId() {
			this.unwritten = true;
			return this.stored.changeSessionId();
		}

		@Override
		public <T> T getAttribute(String attributeName) {
			return this.stored.getAttribute(attributeName);
		}

		@Override
		public Set<String> getAttributeNames() {
			return this.stored.getAttributeNames();
		}

		@Override
		public void setAttribute(String attributeName, Object attributeValue) {
			this.unwritten = true;
			this.stored.setAttribute(attributeName, attributeValue);
		}

		@Override
		public void removeAttribute(String attributeName) {
			this.unwritten = true;
			this.stored.removeAttribute(attributeName);
		}

		@Override
		public Instant getCreationTime() {
			return this.stored.getCreationTime();
		}

		/** Passed on, to be written, only once it is {@link #ACCESS_PRECISION} past the one stored. */
		@Override
		public void setLastAccessedTime(Instant lastAccessedTime) {
			if (Duration.between(this.stored.getLastAccessedTime(), lastAccessedTime).compareTo(ACCESS_PRECISION) >= 0) {
				this.unwritten = true;
				this.stored.setLastAccessedTime(lastAccessedTime);
			}
		}

		@Override
		public Instant getLastAccessedTime() {
			return this.stored.getLastAccessedTime();
		}

		@Override
		public void setMaxInactiveInterval(Duration interval) {
			this.unwritten = true;
			this.stored.setMaxInactiveInterval(interval);
		}

		@Override
		public Duration getMaxInactiveInterval() {
			return this.stored.getMaxInactiveInterval();
		}

		@Override
		public boolean isExpired() {
			return this.stored.isExpired();
		}

	}

}
