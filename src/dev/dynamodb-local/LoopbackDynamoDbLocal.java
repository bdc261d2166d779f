import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local bound to 127.0.0.1 only. Its own command line has no host
 * option and listens on every interface, so the launcher builds the server from the
 * usual arguments and pins each Jetty connector to loopback before start().
 * Prints "LISTENING <port>" once the server accepts connections; stops when stdin closes,
 * so the server never outlives the Node process that started it.
 */
public class LoopbackDynamoDbLocal {
    public static void main(String[] args) throws Exception {
        // "-port 0" asks for a free port: DynamoDB Local rejects 0, so build it with a
        // placeholder and let Jetty pick the port.
        boolean anyPort = false;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-port") && args[i + 1].equals("0")) {
                args[i + 1] = "8000";
                anyPort = true;
            }
        }
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector sc) {
                sc.setHost("127.0.0.1");
                if (anyPort) {
                    sc.setPort(0);
                }
            }
        }
        proxy.start();
        int port = -1;
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector sc) {
                port = sc.getLocalPort();
            }
        }
        System.out.println("LISTENING " + port);
        System.out.flush();
        while (System.in.read() != -1) {
            // Drain stdin until the parent closes it (or dies).
        }
        proxy.stop();
        System.exit(0);
    }
}
