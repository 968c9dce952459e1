package dev.backout.audit;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyOut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The binary copy's framing, as a server could send it wrongly or a network could cut it: these
 * are streams no PostgreSQL sends today (the integration tests read what it does send), and each
 * must be an error, never a shorter trail, and must leave no copy unread on the connection.
 */
class CopiedEventsTests {

	static final byte[] SIGNATURE = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0 };

	@Test
	void aHeaderSharingTheFirstRowsMessageAndAHeaderExtensionRead() {
		Messages copy = new Messages(2, concat(header(0, 5), row(1)), row(2), trailer());
		assertThat(readAll(copy)).extracting(AuditEvent::seq).containsExactly(1L, 2L);
		assertThat(copy.isActive()).isFalse();
	}

	@Test
	void anEmptyTrailReadsAsEmpty() {
		assertThat(readAll(new Messages(0, concat(header(0, 0), trailer())))).isEmpty();
	}

	@Test
	void aRowSplitOverTwoMessagesIsAnError() {
		byte[] row = row(2);
		Messages copy = new Messages(2, concat(header(0, 0), row(1)), Arrays.copyOf(row, 20),
				Arrays.copyOfRange(row, 20, row.length), trailer());
		assertThatIllegalStateException().isThrownBy(() -> readAll(copy)).withMessageContaining("cut short");
		assertThat(copy.isActive()).isFalse();
	}

	@Test
	void aCopyEndingWithoutItsTrailerIsAnError() {
		Messages copy = new Messages(1, concat(header(0, 0), row(1)));
		assertThatIllegalStateException().isThrownBy(() -> readAll(copy)).withMessageContaining("ended before its last row");
	}

	@Test
	void bytesOrMessagesAfterTheTrailerAreAnError() {
		assertThatIllegalStateException().isThrownBy(() -> readAll(new Messages(1, concat(header(0, 0), row(1)), concat(trailer(), row(2)))))
			.withMessageContaining("trailer is not at the end");
		Messages more = new Messages(2, concat(header(0, 0), row(1)), trailer(), row(2));
		assertThatIllegalStateException().isThrownBy(() -> readAll(more)).withMessageContaining("goes on after its trailer");
		assertThat(more.isActive()).isFalse();
	}

	@Test
	void fewerRowsThanTheServerCountedAreAnError() {
		assertThatIllegalStateException().isThrownBy(() -> readAll(new Messages(3, concat(header(0, 0), row(1)), trailer())))
			.withMessageContaining("the server sent 3 rows, 1 were read");
	}

	@Test
	void aForeignHeaderIsRefusedAndItsCopyReadAway() {
		Messages unknownFlag = new Messages(1, concat(header(1 << 16, 0), row(1)), trailer());
		assertThatIllegalStateException().isThrownBy(() -> new CopiedEvents(unknownFlag)).withMessageContaining("flag");
		assertThat(unknownFlag.isActive()).isFalse();

		byte[] text = "1\tcommander\n".getBytes(StandardCharsets.UTF_8);
		Messages notBinary = new Messages(1, text, text);
		assertThatIllegalStateException().isThrownBy(() -> new CopiedEvents(notBinary)).withMessageContaining("binary format");
		assertThat(notBinary.isActive()).isFalse();
	}

	@Test
	void aRowWithAnotherNumberOfColumnsIsAnError() {
		byte[] row = row(1);
		row[1] = 9;
		assertThatIllegalStateException().isThrownBy(() -> readAll(new Messages(1, concat(header(0, 0), row), trailer())))
			.withMessageContaining("has 9 columns, not 10");
	}

	private static List<AuditEvent> readAll(Messages copy) {
		List<AuditEvent> events = new ArrayList<>();
		try (CopiedEvents read = new CopiedEvents(copy)) {
			read.forEachRemaining(events::add);
		}
		return events;
	}

	static byte[] header(int flags, int extension) {
		return bytes((out) -> {
			out.write(SIGNATURE);
			out.writeInt(flags);
			out.writeInt(extension);
			out.write(new byte[extension]);
		});
	}

	/** An event row in the copy's column order: seq, time, actor, roles, incident, action, details, hashes, proof. */
	static byte[] row(long seq) {
		return bytes((out) -> {
			out.writeShort(10);
			int8(out, seq);
			int8(out, 1_000_000L * seq);
			text(out, "commander");
			text(out, "COMMANDER");
			out.writeInt(-1);
			text(out, "STEP_STARTED");
			text(out, "{\"n\": " + seq + "}");
			text(out, "0".repeat(64));
			text(out, "1".repeat(64));
			out.writeInt(-1);
		});
	}

	static byte[] trailer() {
		return new byte[] { (byte) 0xff, (byte) 0xff };
	}

	private static void int8(DataOutputStream out, long value) throws IOException {
		out.writeInt(8);
		out.writeLong(value);
	}

	private static void text(DataOutputStream out, String value) throws IOException {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		out.writeInt(bytes.length);
		out.write(bytes);
	}

	private static byte[] concat(byte[]... parts) {
		return bytes((out) -> {
			for (byte[] part : parts) {
				out.write(part);
			}
		});
	}

	private static byte[] bytes(Writing writing) {
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		try (DataOutputStream out = new DataOutputStream(buffer)) {
			writing.to(out);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return buffer.toByteArray();
	}

	private interface Writing {

		void to(DataOutputStream out) throws IOException;

	}

	/** The driver's copy as messages: active until the last one was taken and the end read (null). */
	private static final class Messages implements CopyOut {

		private final Deque<byte[]> messages;

		private final long rowsCounted;

		private boolean active = true;

		Messages(long rowsCounted, byte[]... messages) {
			this.rowsCounted = rowsCounted;
			this.messages = new ArrayDeque<>(List.of(messages));
		}

		@Override
		public byte[] readFromCopy() {
			byte[] next = this.messages.poll();
			this.active = next != null;
			return next;
		}

		@Override
		public byte[] readFromCopy(boolean block) {
			return readFromCopy();
		}

		@Override
		public boolean isActive() {
			return this.active;
		}

		@Override
		public long getHandledRowCount() {
			return this.active ? -1 : this.rowsCounted;
		}

		@Override
		public int getFieldCount() {
			return 10;
		}

		@Override
		public int getFormat() {
			return 1;
		}

		@Override
		public int getFieldFormat(int field) {
			return 1;
		}

		@Override
		public void cancelCopy() {
			throw new UnsupportedOperationException("the console reads a copy away rather than cancel it");
		}

	}

}
