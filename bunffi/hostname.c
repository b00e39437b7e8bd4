/* gethostname(2), sethostname(2), getdomainname(2), setdomainname(2). */
#include "butter.h"

int gethostname(char *name, size_t len);
int sethostname(const char *name, size_t len);
int getdomainname(char *name, size_t len);
int setdomainname(const char *name, size_t len);

int bt_gethostname(char *buf, long len) { RET(gethostname(buf, (size_t)len)); }
int bt_sethostname(const char *name, long len) { RET(sethostname(name, (size_t)len)); }
int bt_getdomainname(char *buf, long len) { RET(getdomainname(buf, (size_t)len)); }
int bt_setdomainname(const char *name, long len) { RET(setdomainname(name, (size_t)len)); }
