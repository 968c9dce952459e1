package dev.backout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on loopback between the console and a target, for fault injection. It forwards
 * bytes both ways until told otherwise:
 * <ul>
 * <li>{@link #cutAfterServerAnswers(String)}: when the client sends a message containing the
 * word, the proxy forwards it, waits for the server's answer (so the server has acted on it),
 * then drops that answer and cuts both sides: a lost COMMIT acknowledgement;</li>
 * <li>{@link #cutWhenClientSends(String)}: forwards the message and cuts at once (mid-statement);</li>
 * <li>{@link #freeze()}: every open connection stops carrying bytes, sockets stay open, like a
 * network partition; new connections still pass unless {@link #partition()} is set, which stalls
 * them too.</li>
 * </ul>
 */
public final class FaultyLink implements AutoCloseable {

	private final ServerSocket server;

	private final int targetPort;

	private final List<Pipe> pipes = new CopyOnWriteArrayList<>();

	private volatile String cutAfterAnswerOn;

	private volatile String cutOn;

	private volatile boolean frozen;

	private volatile boolean partitioned;

	private final CountDownLatch cut = new CountDownLatch(1);

	public FaultyLink(int targetPort) throws IOException {
		this.targetPort = targetPort;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "faulty-link-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public int port() {
		return this.server.getLocalPort();
	}

	public void cutAfterServerAnswers(String word) {
		this.cutAfterAnswerOn = word;
	}

	public void cutWhenClientSends(String word) {
		this.cutOn = word;
	}

	/** Existing connections stop carrying bytes; the sockets stay open. */
	public void freeze() {
		this.frozen = true;
		this.pipes.forEach((pipe) -> pipe.frozen = true);
	}

	/** New connections are accepted but carry nothing either. */
	public void partition() {
		this.partitioned = true;
		freeze();
	}

	/** New connections pass again; the frozen ones stay frozen (they are dead to both ends). */
	public void heal() {
		this.partitioned = false;
		this.frozen = false;
	}

	/** How many connections the link has accepted: each one is a connection to the target. */
	public int connections() {
		return this.pipes.size();
	}

	public boolean awaitCut(long seconds) throws InterruptedException {
		return this.cut.await(seconds, TimeUnit.SECONDS);
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				Pipe pipe = new Pipe(client, upstream);
				pipe.frozen = this.partitioned;
				this.pipes.add(pipe);
				pipe.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		for (Pipe pipe : this.pipes) {
			pipe.close();
		}
	}

	/** One proxied connection: a thread per direction. */
	private final class Pipe {

		private final Socket client;

		private final Socket upstream;

		private volatile boolean frozen;

		private volatile boolean awaitingAnswer;

		Pipe(Socket client, Socket upstream) {
			this.client = client;
			this.upstream = upstream;
		}

		void start() {
			thread("client→server", () -> pump(this.client, this.upstream, true));
			thread("server→client", () -> pump(this.upstream, this.client, false));
		}

		private void thread(String name, Runnable body) {
			Thread thread = new Thread(body, "faulty-link " + name);
			thread.setDaemon(true);
			thread.start();
		}

		private void pump(Socket from, Socket to, boolean fromClient) {
			byte[] buffer = new byte[64 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					while (this.frozen) {
						Thread.sleep(20);
					}
					String text = new String(buffer, 0, read, StandardCharsets.ISO_8859_1);
					if (fromClient) {
						String cutAfter = FaultyLink.this.cutAfterAnswerOn;
						if (cutAfter != null && text.contains(cutAfter)) {
							FaultyLink.this.cutAfterAnswerOn = null;
							this.awaitingAnswer = true;
						}
						String cutNow = FaultyLink.this.cutOn;
						if (cutNow != null && text.contains(cutNow)) {
							FaultyLink.this.cutOn = null;
							out.write(buffer, 0, read);
							out.flush();
							Thread.sleep(300);
							cut();
							return;
						}
					}
					else if (this.awaitingAnswer) {
						// The server answered the message: it has acted on it. The answer is lost.
						cut();
						return;
					}
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException | InterruptedException ex) {
				// One side went away: the other direction ends too.
			}
			finally {
				if (!this.frozen) {
					close();
				}
			}
		}

		private void cut() {
			close();
			FaultyLink.this.cut.countDown();
		}

		void close() {
			try {
				this.client.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
			try {
				this.upstream.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}

	}

}
