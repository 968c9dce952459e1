package dev.backout.security;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Slows down password guessing and keeps it from flooding the trail: after
 * {@code backout.login.failures-per-minute} failed sign-ins within a minute from one client, or
 * for one user name, further sign-in attempts are refused for the rest of that minute without
 * checking the password. Throttling is written to the trail once per client or name and minute
 * ({@code LOGIN_THROTTLED}), instead of an event per attempt. Counts live in this instance's memory:
 * with several instances each one throttles on its own (account lockout stays global).
 */
@Component
class SignInThrottle {

	static final Duration WINDOW = Duration.ofMinutes(1);

	/** Beyond this many keys the oldest windows are forgotten: memory stays bounded under a spray. */
	private static final int MAX_KEYS = 10_000;

	private final int limit;

	private final AuditTrail trail;

	private final Clock clock;

	private final Map<String, Window> windows = new ConcurrentHashMap<>();

	SignInThrottle(@Value("${backout.login.failures-per-minute:10}") int limit, AuditTrail trail, Clock clock) {
		this.limit = limit;
		this.trail = trail;
		this.clock = clock;
	}

	/** The filter that stops a throttled sign-in before the password is checked. */
	OncePerRequestFilter gate() {
		return new OncePerRequestFilter() {

			@Override
			protected boolean shouldNotFilter(HttpServletRequest request) {
				String path = request.getRequestURI().substring(request.getContextPath().length());
				return !("POST".equals(request.getMethod()) && "/login".equals(path));
			}

			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
					throws ServletException, IOException {
				if (throttled("client " + request.getRemoteAddr())
						|| throttled("name " + String.valueOf(request.getParameter("username")).trim().toLowerCase())) {
					response.sendRedirect(request.getContextPath() + "/login?throttled");
					return;
				}
				chain.doFilter(request, response);
			}

		};
	}

	/** A failed sign-in from {@code client} for {@code username}. */
	void failed(String client, String username) {
		count("client " + client);
		count("name " + String.valueOf(username).trim().toLowerCase());
	}

	private void count(String key) {
		if (this.windows.size() > MAX_KEYS) {
			this.windows.clear();
		}
		this.windows.computeIfAbsent(key, (k) -> new Window()).add(this.clock.instant());
	}

	private boolean throttled(String key) {
		Window window = this.windows.get(key);
		if (window == null || window.within(this.clock.instant()) < this.limit) {
			return false;
		}
		if (window.markThrottled()) {
			this.trail.record(AuditEntry.bySystem("LOGIN_THROTTLED", Map.of("who", key, "failuresWithinAMinute",
					window.within(this.clock.instant()), "limit", this.limit)));
		}
		return true;
	}

	/** The failures of one key within the last minute. */
	private static final class Window {

		private final Deque<Instant> failures = new ArrayDeque<>();

		private boolean throttledRecorded;

		synchronized void add(Instant at) {
			this.failures.addLast(at);
			while (this.failures.size() > 1000) {
				this.failures.removeFirst();
			}
		}

		synchronized int within(Instant now) {
			while (!this.failures.isEmpty() && this.failures.peekFirst().isBefore(now.minus(WINDOW))) {
				this.failures.removeFirst();
			}
			if (this.failures.isEmpty()) {
				this.throttledRecorded = false;
			}
			return this.failures.size();
		}

		/** True the first time this window throttles: one trail event per burst. */
		synchronized boolean markThrottled() {
			boolean first = !this.throttledRecorded;
			this.throttledRecorded = true;
			return first;
		}

	}

}
