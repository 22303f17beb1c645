// Helpers shared by the tests of engined/raft: temporary folders. Every
// helper asserts (cmocka) instead of returning errors.
#ifndef RFT_TEST_UTIL_H
#define RFT_TEST_UTIL_H

// A new empty folder under /tmp (dir[64]); removed with rt_rmdir.
void rt_mkdir(char dir[64]);
void rt_rmdir(const char *dir);

#endif
