package org.trustfleet.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL is real, keeps its data, and lets in only who holds its password. */
class EmbeddedDatabaseTest {

    @Test
    void requiresThePasswordOverLoopbackAndKeepsDataAcrossRestarts() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "embedded-db-").resolve("postgres");
        String password;
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, 0, false)) {
            password = db.password();
            assertThat(Files.getPosixFilePermissions(EmbeddedDatabase.passwordFile(dir)))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, ""))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, "wrong"))
                    .isInstanceOf(SQLException.class);
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, password)) {
                c.createStatement().execute("CREATE TABLE kept (v text)");
                c.createStatement().execute("INSERT INTO kept VALUES ('still here')");
                ResultSet sockets = c.createStatement().executeQuery("SHOW unix_socket_directories");
                sockets.next();
                assertThat(sockets.getString(1)).isEmpty();
                // a commit is acknowledged once it is on disk, not only handed to the operating system (zonky's
                // defaults turn both off)
                assertThat(setting(c, "fsync")).isEqualTo("on");
                assertThat(setting(c, "synchronous_commit")).isEqualTo("on");
            }
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, 0, false);
             Connection c = DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, password)) {
            assertThat(db.password()).isEqualTo(password);
            ResultSet rows = c.createStatement().executeQuery("SELECT v FROM kept");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("still here");
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        ResultSet value = c.createStatement().executeQuery("SHOW " + name);
        value.next();
        return value.getString(1);
    }
}
