package io.lionfuncs.network.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 server on plain sockets, for what a well-behaved server never
 * does: resetting a connection, closing it in the middle of a response, answering
 * nothing at all. Each accepted connection is served by its own thread, which runs the
 * behaviour once per request on that connection.
 */
final class RawHttpServer implements AutoCloseable {

	private final ServerSocket serverSocket;

	private final Behaviour behaviour;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final AtomicInteger connections = new AtomicInteger();

	private final AtomicInteger requests = new AtomicInteger();

	private final AtomicInteger closedByClient = new AtomicInteger();

	RawHttpServer(Behaviour behaviour) throws IOException {
		this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.behaviour = behaviour;
		Thread acceptor = new Thread(this::accept, "raw-http-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.serverSocket.getLocalPort();
	}

	int connections() {
		return this.connections.get();
	}

	int requests() {
		return this.requests.get();
	}

	/**
	 * Connections on which the client closed its side (end of stream while the server
	 * was waiting for the next request).
	 */
	int closedByClient() {
		return this.closedByClient.get();
	}

	private void accept() {
		while (!this.serverSocket.isClosed()) {
			try {
				Socket socket = this.serverSocket.accept();
				this.sockets.add(socket);
				this.connections.incrementAndGet();
				Thread handler = new Thread(() -> serve(socket), "raw-http-connection");
				handler.setDaemon(true);
				handler.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(Socket socket) {
		try (socket) {
			InputStream in = socket.getInputStream();
			while (readRequestHead(in)) {
				this.requests.incrementAndGet();
				if (!this.behaviour.respond(socket, socket.getOutputStream())) {
					return;
				}
			}
			this.closedByClient.incrementAndGet();
		}
		catch (IOException ex) {
			// the client or the test closed the connection
		}
	}

	/**
	 * Reads one request head; bodies are not expected.
	 * @return {@code false} at end of stream
	 */
	private static boolean readRequestHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		byte[] end = { '\r', '\n', '\r', '\n' };
		while (matched < end.length) {
			int next = in.read();
			if (next < 0) {
				return false;
			}
			head.write(next);
			matched = (next == end[matched]) ? matched + 1 : ((next == '\r') ? 1 : 0);
		}
		return true;
	}

	@Override
	public void close() throws IOException {
		this.serverSocket.close();
		for (Socket socket : this.sockets) {
			socket.close();
		}
	}

	static void write(OutputStream out, String text) throws IOException {
		out.write(text.getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	/**
	 * Resets the connection: an RST instead of an orderly close.
	 */
	static void reset(Socket socket) throws SocketException, IOException {
		socket.setSoLinger(true, 0);
		socket.close();
	}

	/**
	 * What the server does with one request.
	 */
	@FunctionalInterface
	interface Behaviour {

		/**
		 * Responds to a request.
		 * @return whether to keep the connection and serve the next request
		 */
		boolean respond(Socket socket, OutputStream out) throws IOException;

	}

}
