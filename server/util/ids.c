/*
 * ids: AWS-format identifiers from RAND_bytes. See ids.h.
 */
#include "config.h"

#include "util/ids.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char LOWER_ALNUM[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static void random_bytes(unsigned char *buf, size_t n)
{
    /* RAND_bytes fails only when the CSPRNG cannot be seeded; no id is safe then. */
    if (RAND_bytes(buf, (int)n) != 1)
        abort();
}

void ids_random_chars(char *out, size_t n, const char *alphabet)
{
    size_t len = strlen(alphabet);
    /* Reject bytes at or above the largest multiple of len, so every character is equally likely.
     */
    unsigned limit = 256 - (256 % (unsigned)len);
    unsigned char buf[64];
    size_t have = 0, used = 0;

    while (have < n) {
        if (used == 0 || used == sizeof(buf)) {
            random_bytes(buf, sizeof(buf));
            used = 0;
        }
        unsigned char b = buf[used++];
        if (b < limit)
            out[have++] = alphabet[b % len];
    }
    out[n] = '\0';
}

uint32_t ids_random_below(uint32_t bound)
{
    /* Accept only values below the largest multiple of bound, so none is favoured. */
    uint32_t limit = UINT32_MAX - (UINT32_MAX % bound), r;

    do {
        random_bytes((unsigned char *)&r, sizeof(r));
    } while (r >= limit);
    return r % bound;
}

void ids_uuid(char *out)
{
    unsigned char b[16];

    random_bytes(b, sizeof(b));
    ids_uuid_from_bytes(b, out);
}

void ids_uuid_from_bytes(const unsigned char bytes[16], char *out)
{
    unsigned char b[16];

    memcpy(b, bytes, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, IDS_UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

void ids_user_pool_id(char *out, const char *region)
{
    char suffix[IDS_POOL_SUFFIX_LEN + 1];

    ids_random_chars(suffix, IDS_POOL_SUFFIX_LEN, ALNUM);
    snprintf(out, IDS_MAX, "%s_%s", region, suffix);
}

void ids_client_id(char *out)
{
    ids_random_chars(out, IDS_CLIENT_ID_LEN, LOWER_ALNUM);
}

void ids_client_secret(char *out)
{
    ids_random_chars(out, IDS_CLIENT_SECRET_LEN, LOWER_ALNUM);
}

void ids_region_uuid(char *out, const char *region)
{
    char uuid[IDS_UUID_LEN + 1];

    ids_uuid(uuid);
    snprintf(out, IDS_MAX, "%s:%s", region, uuid);
}
