package dev.backout.security;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The console's sessions, kept by Spring Session JDBC and asked as little as a request allows.
 * Spring Session reads a session in a transaction of its own and writes its last access on every
 * request; every request is a session read and a polled page makes many. Here a read is one
 * statement in auto-commit; the last access is written only once it moved by
 * {@link #ACCESS_PRECISION} (sessions last hours: ending one up to a minute early is of no account),
 * and a session nothing changed in is not written at all. What is written (a new session, a new
 * id, attributes, a removal) is written in one transaction, as before. Within one request a
 * session is read once ({@link #findById}).
 */
final class SessionStore implements SessionRepository<SessionStore.StoredSession> {

	static final Duration ACCESS_PRECISION = Duration.ofMinutes(1);

	/** The sessions the request on this thread read, by id; none outside {@link OneReadPerRequest}. */
	private static final ThreadLocal<Map<String, StoredSession>> READ_IN_THIS_REQUEST = new ThreadLocal<>();

	/** Spring Session JDBC's repository, as its interface sees it (its session class is not public). */
	private final SessionRepository<Session> sessions;

	private final TransactionOperations writes;

	private final JdbcClient jdbc;

	/**
	 * @param sessions Spring Session's repository, made with transactions that only join one
	 * already running (propagation SUPPORTS), so its reads run alone and its writes in ours
	 * @param writes a new transaction for each write
	 */
	@SuppressWarnings("unchecked")
	SessionStore(JdbcIndexedSessionRepository sessions, TransactionOperations writes, JdbcClient jdbc) {
		this.sessions = (SessionRepository<Session>) (SessionRepository<?>) sessions;
		this.writes = writes;
		this.jdbc = jdbc;
	}

	@Override
	public StoredSession createSession() {
		return new StoredSession(this.sessions.createSession(), null);
	}

	/**
	 * Writes what changed, unless the session no longer has the id this request read it under:
	 * a sign-in gave it a new one (Spring Session would write the old id back, and whoever holds
	 * the old one would hold the signed-in session) or it ended. Such a request's changes are
	 * dropped; the row is locked until the write commits, so a sign-in cannot come in between.
	 */
	@Override
	public void save(StoredSession session) {
		if (!session.unwritten) {
			return;
		}
		this.writes.executeWithoutResult((status) -> {
			if (session.readAs == null || stillNamed(session.readAs)) {
				this.sessions.save(session.stored);
			}
		});
		session.unwritten = false;
		session.readAs = session.getId();
	}

	private boolean stillNamed(String id) {
		return this.jdbc.sql("select true from spring_session where session_id = :id for update")
			.param("id", id)
			.query(Boolean.class)
			.optional()
			.isPresent();
	}

	/**
	 * Within a request ({@link OneReadPerRequest}), a session already read under this id is not
	 * read again: Spring Session looks the requested session up anew at each commit after the first
	 * (a rendered page's flush, then the end of the request), and that lookup was a round trip on
	 * every rendered page. A session that has since taken another id (a
	 * sign-in) is read again, as it was.
	 */
	@Override
	public StoredSession findById(String id) {
		Map<String, StoredSession> readInThisRequest = READ_IN_THIS_REQUEST.get();
		if (readInThisRequest != null && readInThisRequest.containsKey(id)) {
			StoredSession read = readInThisRequest.get(id);
			if (read == null || read.getId().equals(id)) {
				return read;
			}
		}
		Session stored = this.sessions.findById(id);
		StoredSession session = (stored != null) ? new StoredSession(stored, stored.getId()) : null;
		if (readInThisRequest != null) {
			readInThisRequest.put(id, session);
		}
		return session;
	}

	@Override
	public void deleteById(String id) {
		this.writes.executeWithoutResult((status) -> this.sessions.deleteById(id));
		Map<String, StoredSession> readInThisRequest = READ_IN_THIS_REQUEST.get();
		if (readInThisRequest != null) {
			// Under whichever id it was read: a session may end under the new id a sign-in gave it.
			readInThisRequest.replaceAll((readAs, read) -> (read == null || read.getId().equals(id)) ? null : read);
			readInThisRequest.put(id, null);
		}
	}

	/**
	 * Around Spring Session's filter: what a request read is kept for that request alone and
	 * dropped when it ends, so the next request reads its session anew (one ended meanwhile stays
	 * ended). Error and async dispatches run without it, and read as before.
	 */
	static final class OneReadPerRequest extends OncePerRequestFilter {

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			READ_IN_THIS_REQUEST.set(new HashMap<>());
			try {
				chain.doFilter(request, response);
			}
			finally {
				READ_IN_THIS_REQUEST.remove();
			}
		}

	}

	/**
	 * A stored session that notes whether anything was changed in it since it was read or last
	 * written. It relies on Spring Session's default save mode (only set attributes are written), so
	 * reading an attribute changes nothing.
	 */
	static final class StoredSession implements Session {

		private final Session stored;

		/** The id the session is stored under as this request knows it; none while it is new. */
		private String readAs;

		private boolean unwritten;

		StoredSession(Session stored, String readAs) {
			this.stored = stored;
			this.readAs = readAs;
			this.unwritten = (readAs == null);
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
			// Removing an attribute that is not there (a sign-in does) changes nothing.
			this.unwritten |= attributeValue != null || this.stored.getAttribute(attributeName) != null;
			this.stored.setAttribute(attributeName, attributeValue);
		}

		@Override
		public void removeAttribute(String attributeName) {
			setAttribute(attributeName, null);
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
