package dev.backout;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import javax.sql.DataSource;

import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Records the statements the console sends to its own database on the current thread, so a test
 * can hold a page to its statement budget. Target connections do not pass through here.
 */
public final class ConsoleStatements implements BeanPostProcessor {

	private static final ThreadLocal<Recording> recording = new ThreadLocal<>();

	/** The statements {@code action} sent to the console's database on this thread. */
	public static List<String> during(Runnable action) {
		return during(() -> {
			action.run();
			return null;
		}).statements();
	}

	public static <T> Recorded<T> during(Supplier<T> action) {
		Recording statements = new Recording(new ArrayList<>(), new ArrayList<>());
		recording.set(statements);
		try {
			T result = action.get();
			return new Recorded<>(result, List.copyOf(statements.all()), List.copyOf(statements.inTransactions()));
		}
		finally {
			recording.remove();
		}
	}

	/** {@code inTransactions}: those of the statements sent within a transaction (not in auto-commit). */
	public record Recorded<T>(T result, List<String> statements, List<String> inTransactions) {
	}

	private record Recording(List<String> all, List<String> inTransactions) {
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof DataSource dataSource && "dataSource".equals(beanName)) {
			return ProxyDataSourceBuilder.create(dataSource).name("console").listener(new Listener()).build();
		}
		return bean;
	}

	private static final class Listener implements QueryExecutionListener {

		/** Whether the statement ran within a transaction; false when its connection can no longer say (it broke). */
		private static boolean inTransaction(ExecutionInfo execInfo) {
			try {
				return !execInfo.getStatement().getConnection().getAutoCommit();
			}
			catch (SQLException brokenConnection) {
				// Recording must not replace the statement's own error with one of its own.
				return false;
			}
		}

		@Override
		public void beforeQuery(ExecutionInfo execInfo, List<QueryInfo> queryInfoList) {
		}

		@Override
		public void afterQuery(ExecutionInfo execInfo, List<QueryInfo> queryInfoList) {
			Recording statements = recording.get();
			if (statements == null) {
				return;
			}
			boolean inTransaction = inTransaction(execInfo);
			queryInfoList.forEach((query) -> {
				statements.all().add(query.getQuery());
				if (inTransaction) {
					statements.inTransactions().add(query.getQuery());
				}
			});
		}

	}

}
