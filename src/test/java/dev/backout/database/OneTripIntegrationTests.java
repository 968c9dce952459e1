package dev.backout.database;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backout.ConsoleStatements;
import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@IntegrationTest
class OneTripIntegrationTests {

	@Autowired
	OneTrip oneTrip;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	TransactionTemplate transactions;

	@Test
	void queriesGoInOneRoundTripAndEachKeepsItsOwnParameters() {
		ConsoleQuery<List<Integer>> first = numbers("select n from generate_series(1, :n) n", 2);
		ConsoleQuery<List<Integer>> second = numbers("select n * 10 from generate_series(1, :n) n", 3);

		ConsoleStatements.Recorded<OneTrip.Results> read = ConsoleStatements.during(() -> this.oneTrip.read(List.of(first, second)));

		assertThat(read.statements()).as("executions").hasSize(1);
		assertThat(read.result().of(first)).containsExactly(1, 2);
		assertThat(read.result().of(second)).containsExactly(10, 20, 30);
	}

	@Test
	void aQueryEndingInALineCommentLeavesTheNextOneAlone() {
		ConsoleQuery<List<Integer>> commented = numbers("select :n -- the first", 1);
		ConsoleQuery<List<Integer>> next = numbers("select :n", 2);

		OneTrip.Results read = this.oneTrip.read(List.of(commented, next));

		assertThat(read.of(commented)).containsExactly(1);
		assertThat(read.of(next)).containsExactly(2);
	}

	/** Sent without a transaction, nothing would make a write read-only; and a second statement would shift the results. */
	@Test
	void onlyASingleSelectIsAQuery() {
		assertThatIllegalArgumentException().isThrownBy(() -> numbers("update incident set summary = 'x' where id = :n", 1));
		assertThatIllegalArgumentException().isThrownBy(() -> numbers("select :n; delete from incident", 1));
		assertThat(numbers("with t as (select :n as n) select n from t", 3).sql()).startsWith("with");
	}

	@Test
	void aFailingQueryFailsTheWholeReadAndTheNextReadWorks() {
		ConsoleQuery<List<Integer>> fine = numbers("select n from generate_series(1, :n) n", 1);
		ConsoleQuery<List<Integer>> failing = numbers("select 1 / (:n - 1)", 1);

		assertThatExceptionOfType(DataAccessException.class).isThrownBy(() -> this.oneTrip.read(List.of(fine, failing)))
			.withMessageContaining("division by zero");
		assertThat(this.oneTrip.read(List.of(fine)).of(fine)).containsExactly(1);
	}

	@Test
	void withinATransactionItReadsOnTheTransactionsConnection() {
		ConsoleQuery<List<Integer>> uncommitted = numbers("select count(*)::int from one_trip_probe where holder = :n::text", 0);
		Integer seen = this.transactions.execute((status) -> {
			this.jdbc.sql("create temporary table one_trip_probe (holder text) on commit drop").update();
			this.jdbc.sql("insert into one_trip_probe values ('0')").update();
			status.setRollbackOnly();
			return this.oneTrip.read(List.of(uncommitted)).of(uncommitted).get(0);
		});
		assertThat(seen).isEqualTo(1);
	}

	/** Where one row is asked for (an incident by id), none is empty and a second is an error, not a silent pick. */
	@Test
	void anOptionalQueryIsEmptyWithoutARowAndFailsWithTwo() {
		ConsoleQuery<Optional<Integer>> none = ConsoleQuery.optional("select n from generate_series(1, :n) n", Map.of("n", 0), NUMBER);
		ConsoleQuery<Optional<Integer>> one = ConsoleQuery.optional("select n from generate_series(1, :n) n", Map.of("n", 1), NUMBER);
		ConsoleQuery<Optional<Integer>> two = ConsoleQuery.optional("select n from generate_series(1, :n) n", Map.of("n", 2), NUMBER);

		OneTrip.Results read = this.oneTrip.read(List.of(none, one));

		assertThat(read.of(none)).isEmpty();
		assertThat(read.of(one)).contains(1);
		assertThatExceptionOfType(IncorrectResultSizeDataAccessException.class).isThrownBy(() -> two.readWith(this.jdbc));
	}

	private static final RowMapper<Integer> NUMBER = (rs, row) -> rs.getInt(1);

	private static ConsoleQuery<List<Integer>> numbers(String sql, int n) {
		return ConsoleQuery.list(sql, Map.of("n", n), NUMBER);
	}

}
