package dev.runwire.model.egress;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EgressPolicyTest {

    private final EgressPolicy strict = new EgressPolicy(List.of(), true);
    private final EgressPolicy local = new EgressPolicy(List.of("127.0.0.1/32"), false);

    @ParameterizedTest
    @ValueSource(strings = { "https://127.0.0.1/", "https://127.1/", "https://2130706433/", "https://0177.0.0.1/",
            "https://0x7f.0.0.1/", "https://0x7f000001/", "https://[::1]/", "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:7f00:1]/", "https://[64:ff9b::7f00:1]/", "https://10.0.0.8/", "https://172.16.3.4/",
            "https://192.168.1.1/", "https://169.254.169.254/latest/meta-data", "https://100.64.0.1/",
            "https://224.0.0.1/", "https://240.0.0.1/", "https://0.0.0.0/", "https://[fd00:ec2::254]/",
            "https://[fe80::1]/", "https://[ff02::1]/", "https://198.18.0.1/", "https://192.0.2.1/" })
    void privateReservedAndMetadataAddressesAreRefusedInEveryNotation(String url) {
        assertThrows(EgressPolicy.RefusedException.class, () -> strict.checkUrl(url));
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://93.184.215.14/", "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/",
            "https://api.example.com/v1", "https://8.8.8.8:8443/x" })
    void publicAddressesAndHostNamesPass(String url) {
        assertDoesNotThrow(() -> strict.checkUrl(url));
    }

    @Test
    void schemeLengthAndUserInfoAreChecked() {
        assertThrows(EgressPolicy.RefusedException.class, () -> strict.checkUrl("http://api.example.com/"));
        assertThrows(EgressPolicy.RefusedException.class, () -> strict.checkUrl("ftp://api.example.com/"));
        assertThrows(EgressPolicy.RefusedException.class, () -> strict.checkUrl("https://user:pw@api.example.com/"));
        assertThrows(EgressPolicy.RefusedException.class,
                () -> strict.checkUrl("https://api.example.com/" + "x".repeat(2048)));
        assertDoesNotThrow(() -> local.checkUrl("http://api.example.com/"));
    }

    @Test
    void theAllowListOpensExactlyItsRange() throws Exception {
        assertDoesNotThrow(() -> local.checkUrl("http://127.0.0.1:8080/"));
        assertDoesNotThrow(() -> local.checkUrl("http://[::ffff:127.0.0.1]:8080/"));
        assertThrows(EgressPolicy.RefusedException.class, () -> local.checkUrl("http://127.0.0.2/"));
        assertThrows(EgressPolicy.RefusedException.class, () -> local.checkUrl("http://10.1.2.3/"));
    }

    @Test
    void everyResolvedAddressMustBeAllowed() throws Exception {
        InetAddress[] rebinding = { InetAddress.getByName("93.184.215.14"), InetAddress.getByName("10.0.0.1") };
        assertThrows(EgressPolicy.RefusedException.class, () -> strict.choose(rebinding));
        InetAddress[] fine = { InetAddress.getByName("93.184.215.14") };
        assertEquals(fine[0], strict.choose(fine));
    }

    @Test
    void literalsAreReadLikeResolversReadThem() {
        assertEquals("127.0.0.1", EgressPolicy.literal("2130706433").getHostAddress());
        assertEquals("127.0.0.1", EgressPolicy.literal("0177.0.0.01").getHostAddress());
        assertEquals("127.0.0.1", EgressPolicy.literal("0x7f.1").getHostAddress());
        assertEquals("10.1.0.5", EgressPolicy.literal("10.1.5").getHostAddress());
        assertEquals(null, EgressPolicy.literal("api.example.com"));
        assertEquals(null, EgressPolicy.literal("256.1.1.1"));
    }
}
