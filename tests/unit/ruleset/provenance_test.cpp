#include "ruleset/provenance.hpp"

#include <doctest/doctest.h>

using pixelwarden::ruleset::Provenance;
using pixelwarden::ruleset::ProvenanceTable;

TEST_SUITE("ruleset::ProvenanceTable") {
  TEST_CASE("entries are found by offset; others are not") {
    ProvenanceTable t;
    t.add(0, Provenance{"CERT-EU", "news", "amber"});
    t.add(17, Provenance{"MISP", "", ""});
    t.add(40, Provenance{"CERT-EU", "news", "amber"});
    t.seal();
    CHECK(t.size() == 3);
    auto p = t.find(40);
    REQUIRE(p);
    CHECK(p->source == "CERT-EU");
    CHECK(p->campaign == "news");
    CHECK(p->tlp == "amber");
    REQUIRE(t.find(17));
    CHECK(t.find(17)->campaign.empty());
    CHECK_FALSE(t.find(5));
    CHECK_FALSE(t.find(41));
  }
}
