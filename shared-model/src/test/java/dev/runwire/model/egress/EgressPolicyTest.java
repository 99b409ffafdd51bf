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

    @ParameterizedTest
    @ValueSource(strings = { "https://[fe80::1%25lo]/", "https://[fe80::1%lo]/", "https://[fe80::1%25eth0]:8443/x",
            "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c%25eth0]/", "https://[fe80::1%25]/" })
    void aZoneIsRefusedWhateverTheAddress(String url) {
        assertThrows(EgressPolicy.RefusedException.class, () -> strict.checkUrl(url));
    }

    @ParameterizedTest
    @ValueSource(strings = { "fe80::1%lo", "[fe80::1%25lo]", "fe80::1%25lo" })
    void aZonedLiteralIsReadAsTheAddressItScopes(String host) {
        InetAddress address = EgressPolicy.literal(host);
        assertEquals("fe80:0:0:0:0:0:0:1", address.getHostAddress());
        assertThrows(EgressPolicy.RefusedException.class, () -> strict.checkAddress(address));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // IPv4-compatible
            "https://[::127.0.0.2]/", "https://[::7f00:2]/", "https://[::10.0.0.1]/", "https://[::169.254.169.254]/",
            // IPv4-mapped in other spellings, IPv4-translated
            "https://[0:0:0:0:0:ffff:7f00:2]/", "https://[::ffff:0:7f00:2]/", "https://[::ffff:0:10.1.2.3]/",
            // NAT64 well-known and local-use prefixes
            "https://[64:ff9b::10.0.0.1]/", "https://[64:ff9b::a9fe:a9fe]/", "https://[64:ff9b:1::5db8:d70e]/",
            "https://[64:ff9b:1:ffff::1]/",
            // 6to4
            "https://[2002:7f00:2::]/", "https://[2002:a00:1::1]/", "https://[2002:a9fe:a9fe:1:2:3:4:5]/",
            // ISATAP, with a public prefix and the u/l bit set or not
            "https://[2606:2800:21f:cb07:0:5efe:127.0.0.1]/", "https://[fd00::200:5efe:10.0.0.1]/",
            "https://[2001:db9::200:5efe:a9fe:a9fe]/",
            // Teredo: client 127.0.0.1 inverted in the last 32 bits, or a private server at bits 32-64
            "https://[2001:0:5db8:d70e:0:0:80ff:fffe]/", "https://[2001:0:a00:1::5db8:d70e]/",
            // documentation and benchmarking IPv6
            "https://[3fff::1]/", "https://[2001:2::1]/" })
    void ipv6FormsThatEmbedABlockedIpv4AddressAreRefused(String url) {
        assertThrows(EgressPolicy.RefusedException.class, () -> strict.checkUrl(url));
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://[::93.184.215.14]/", "https://[64:ff9b::8.8.8.8]/",
            "https://[2002:5db8:d70e::1]/", "https://[2606:2800:21f:cb07:0:5efe:93.184.215.14]/",
            "https://[2001:0:5db8:d70e:0:0:f7f7:f7f7]/" })
    void ipv6FormsThatEmbedAPublicIpv4AddressPass(String url) {
        assertDoesNotThrow(() -> strict.checkUrl(url));
    }

    @Test
    void embeddedAddressesAreCheckedWhenAHostResolvesToThem() throws Exception {
        InetAddress sixToFour = InetAddress.getByName("2002:7f00:2::");
        InetAddress teredo = InetAddress.getByName("2001:0:5db8:d70e:0:0:80ff:fffe");
        InetAddress isatap = InetAddress.getByName("2606:2800:21f:cb07:0:5efe:a00:1");
        for (InetAddress address : new InetAddress[] { sixToFour, teredo, isatap }) {
            assertThrows(EgressPolicy.RefusedException.class, () -> strict.choose(new InetAddress[] { address }));
        }
    }

    @Test
    void anAllowedIpv4AddressIsAllowedInItsEmbeddedForms() {
        assertDoesNotThrow(() -> local.checkUrl("http://[::127.0.0.1]:8080/"));
        assertDoesNotThrow(() -> local.checkUrl("http://[2002:7f00:1::]:8080/"));
        assertThrows(EgressPolicy.RefusedException.class, () -> local.checkUrl("http://[2002:7f00:2::]/"));
    }

    @Test
    void aBracketedHostThatIsNoAddressIsRefused() {
        assertThrows(EgressPolicy.RefusedException.class, () -> strict.checkUrl("https://[fe80::zz]/"));
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
