/*
 * ids: identifiers in AWS's formats, from OpenSSL's CSPRNG.
 *
 * Each function writes a NUL-terminated id into a caller buffer of the documented size.
 */
#ifndef COG_IDS_H
#define COG_IDS_H

#include <stddef.h>
#include <stdint.h>

#define IDS_UUID_LEN 36
#define IDS_CLIENT_ID_LEN 26
#define IDS_CLIENT_SECRET_LEN 51
#define IDS_POOL_SUFFIX_LEN 9
/* Big enough for "<region>_<9>" and "<region>:<uuid>" with any valid region name. */
#define IDS_MAX 96

/* n random characters drawn uniformly from alphabet, then a NUL (out holds n + 1 bytes). */
void ids_random_chars(char *out, size_t n, const char *alphabet);

/* A uniformly random integer below bound (1 <= bound <= 2^32 - 1). */
uint32_t ids_random_below(uint32_t bound);

/* A random version-4 UUID, lower case (out holds IDS_UUID_LEN + 1 bytes). */
void ids_uuid(char *out);

/* The version-4 UUID text of 16 given bytes (their version and variant bits set), as ids_uuid
 * writes it: for ids that must be stable, made from a digest. */
void ids_uuid_from_bytes(const unsigned char bytes[16], char *out);

/* User pool id "<region>_<9 alphanumerics>" (out holds IDS_MAX bytes). */
void ids_user_pool_id(char *out, const char *region);

/* App client id: 26 lowercase alphanumerics (out holds IDS_CLIENT_ID_LEN + 1 bytes). */
void ids_client_id(char *out);

/* App client secret: 51 lowercase alphanumerics (out holds IDS_CLIENT_SECRET_LEN + 1 bytes). */
void ids_client_secret(char *out);

/* Identity pool or identity id "<region>:<uuid>" (out holds IDS_MAX bytes). */
void ids_region_uuid(char *out, const char *region);

#endif
