package dev.backout.security;

import javax.sql.DataSource;

import org.springframework.boot.session.autoconfigure.SessionProperties;
import org.springframework.boot.session.autoconfigure.SessionTimeout;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sessions live in the console database (Spring Session JDBC, in the tables Liquibase made), so a
 * person signed in on one instance is signed in on all. Spring Session's repository is used through
 * {@link SessionStore}, which asks it less; Spring Boot's own JDBC session configuration steps
 * back for it, and the session timeout ({@code server.servlet.session.timeout}) is applied here.
 */
@Configuration(proxyBeanMethods = false)
@EnableSpringHttpSession
class SessionStoreConfiguration {

	/**
	 * Spring Session's update with its six parameters in its order, skipping a row it would not
	 * change: re-setting the same security context must not write a new row version.
	 */
	static final String UPDATE_SESSION = """
			UPDATE %TABLE_NAME% AS s
			SET SESSION_ID = v.session_id, LAST_ACCESS_TIME = v.last_access_time,
			    MAX_INACTIVE_INTERVAL = v.max_inactive_interval, EXPIRY_TIME = v.expiry_time, PRINCIPAL_NAME = v.principal_name
			FROM (VALUES (CAST(? AS CHAR(36)), CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS VARCHAR(100)),
			              CAST(? AS CHAR(36))))
			    AS v (session_id, last_access_time, max_inactive_interval, expiry_time, principal_name, primary_id)
			WHERE s.PRIMARY_ID = v.primary_id
			AND (s.SESSION_ID, s.LAST_ACCESS_TIME, s.MAX_INACTIVE_INTERVAL, s.EXPIRY_TIME, s.PRINCIPAL_NAME)
			    IS DISTINCT FROM (v.session_id, v.last_access_time, v.max_inactive_interval, v.expiry_time, v.principal_name)
			""";

	/** Spring Session's repository, whose own transactions only join one running (see {@link SessionStore}). */
	@Bean
	JdbcIndexedSessionRepository jdbcSessions(DataSource dataSource, PlatformTransactionManager transactions,
			SessionTimeout timeout) {
		TransactionTemplate joinOnly = new TransactionTemplate(transactions);
		joinOnly.setPropagationBehavior(TransactionDefinition.PROPAGATION_SUPPORTS);
		JdbcIndexedSessionRepository sessions = new JdbcIndexedSessionRepository(new JdbcTemplate(dataSource), joinOnly);
		sessions.setUpdateSessionQuery(UPDATE_SESSION);
		if (timeout.getTimeout() != null) {
			sessions.setDefaultMaxInactiveInterval(timeout.getTimeout());
		}
		return sessions;
	}

	@Bean
	@Primary
	SessionStore sessionStore(JdbcIndexedSessionRepository jdbcSessions, PlatformTransactionManager transactions,
			JdbcClient jdbc) {
		TransactionTemplate writes = new TransactionTemplate(transactions);
		writes.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		return new SessionStore(jdbcSessions, writes, jdbc);
	}

	/** Just outside Spring Session's filter, wherever it is put, so that its commits are inside. */
	@Bean
	FilterRegistrationBean<SessionStore.OneReadPerRequest> oneSessionReadPerRequest(SessionProperties properties) {
		FilterRegistrationBean<SessionStore.OneReadPerRequest> registration = new FilterRegistrationBean<>(
				new SessionStore.OneReadPerRequest());
		registration.setOrder(properties.getServlet().getFilterOrder() - 1);
		return registration;
	}

}
