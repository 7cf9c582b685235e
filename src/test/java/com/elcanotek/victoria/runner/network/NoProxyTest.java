package com.elcanotek.victoria.runner.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** NO_PROXY entries as curl matches them: names with their subdomains, addresses, ranges, ports, and *. */
class NoProxyTest {

    @Test
    void aNameCoversItselfAndItsSubdomainsWithOrWithoutLeadingDot() {
        NoProxy list = NoProxy.parse("example.com, .corp.local *.internal", "NO_PROXY");

        assertThat(list.covers("example.com", 443)).isTrue();
        assertThat(list.covers("API.Example.com.", 443)).isTrue();
        assertThat(list.covers("badexample.com", 443)).isFalse();
        assertThat(list.covers("corp.local", 80)).isTrue();
        assertThat(list.covers("a.b.corp.local", 80)).isTrue();
        assertThat(list.covers("x.internal", 80)).isTrue();
        assertThat(list.covers("internal.example.org", 80)).isFalse();
    }

    @Test
    void addressesAndRangesMatchAddressesOnlyWithoutLookingNamesUp() {
        NoProxy list = NoProxy.parse("127.0.0.1,10.0.0.0/8,192.168.1.0/24,fd00::/8,::1", "NO_PROXY");

        assertThat(list.covers("127.0.0.1", 8080)).isTrue();
        assertThat(list.covers("10.200.3.4", 443)).isTrue();
        assertThat(list.covers("11.0.0.1", 443)).isFalse();
        assertThat(list.covers("192.168.1.77", 443)).isTrue();
        assertThat(list.covers("192.168.2.1", 443)).isFalse();
        assertThat(list.covers("[fd12::1]", 443)).isTrue();
        assertThat(list.covers("[::1]", 443)).isTrue();
        assertThat(list.covers("localhost", 443)).as("a name is never resolved").isFalse();
        assertThat(list.covers("10.0.0.999", 443)).as("no address, no lookup").isFalse();
    }

    @Test
    void aPortLimitsAnEntryToThatPort() {
        NoProxy list = NoProxy.parse("example.com:8443,[::1]:9000,10.0.0.0/8:443", "NO_PROXY");

        assertThat(list.covers("api.example.com", 8443)).isTrue();
        assertThat(list.covers("api.example.com", 443)).isFalse();
        assertThat(list.covers("::1", 9000)).isTrue();
        assertThat(list.covers("::1", 9001)).isFalse();
        assertThat(list.covers("10.1.1.1", 443)).isTrue();
        assertThat(list.covers("10.1.1.1", 80)).isFalse();
    }

    @Test
    void aStarCoversEverythingAndAnEmptyListNothing() {
        assertThat(NoProxy.parse("*", "NO_PROXY").covers("anything.example", 1)).isTrue();
        assertThat(NoProxy.parse("", "NO_PROXY").covers("anything.example", 1)).isFalse();
        assertThat(NoProxy.parse(null, "NO_PROXY")).isEqualTo(NoProxy.NONE);
    }

    @Test
    void entriesThatAreNothingAreRefusedNamingTheSource() {
        assertThatThrownBy(() -> NoProxy.parse("10.0.0.0/40", "NO_PROXY")).hasMessageStartingWith("NO_PROXY")
                .hasMessageContaining("10.0.0.0/40");
        assertThatThrownBy(() -> NoProxy.parse("host:99999", "--no-proxy")).hasMessageContaining("port");
        assertThatThrownBy(() -> NoProxy.parse("name/8", "--no-proxy")).hasMessageContaining("CIDR");
    }
}
