// sirocco keygen NAME [--dir DIR] [--force]: make a CurveZMQ keypair.
#ifndef CLI_CMD_KEYGEN_H
#define CLI_CMD_KEYGEN_H

// Writes DIR/NAME (the public certificate, to copy into the engines'
// allow folder, or to give clients as the server key) and DIR/NAME_secret
// (mode 0600), and prints the public key. Exit 0 when written, 1 when
// the files cannot be written or exist (without --force), 2 on a usage
// error.
int cli_keygen(int argc, char **argv);

#endif
