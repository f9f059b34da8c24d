// pixelwarden: argument dispatch only. Everything else is a library the tests link.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return pixelwarden::cli::main(argc, argv); }
