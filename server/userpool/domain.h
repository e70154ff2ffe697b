/*
 * domain: what a user pool domain is and the two questions other wings ask of it.
 *
 * A domain is stored as the DomainDescription document DescribeUserPoolDomain returns (kind
 * STORE_USER_POOL_DOMAIN, id: the domain exactly as CreateUserPoolDomain received it, unique
 * across pools as in Cognito; parent: its user pool id). A pool has at most one prefix domain
 * ("myapp", served by AWS at https://myapp.auth.<region>.amazoncognito.com) and one custom
 * domain (an FQDN such as "auth.example.com", with a CustomDomainConfig.CertificateArn).
 * ops_domain.c creates, changes and deletes them; the readers below are for the OAuth 2.0
 * endpoints and the hosted pages (which resolve a request to a pool through its domain), for
 * DescribeUserPool (which reports both) and for DeleteUserPool (which refuses while one is
 * left).
 *
 * The names are reported exactly as stored, never rewritten into a local URL: Terraform, CDK
 * and CloudFormation read them back and would see drift (../shared/oauth2-hosted-ui.md 5.3).
 */
#ifndef COG_DOMAIN_H
#define COG_DOMAIN_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/ops_common.h"
#include "store/store.h"

/* User pool domains as documents of the store, under their pool. An unknown domain named with
 * its pool (UpdateUserPoolDomain, DeleteUserPoolDomain) is InvalidParameterException "No such
 * domain or user pool exists." (see ops_domain.c). */
extern const struct ops_doc_type DOMAIN_DOC;

/*
 * The domains of user pool pool_id: *prefix its prefix domain ("myapp") and *custom its
 * custom domain ("auth.example.com"), each a new string the caller free()s, or NULL when the
 * pool has none of that kind (an unknown pool has neither). Either pointer may be NULL when
 * the caller does not want that kind. Returns STORE_OK, or STORE_ERROR (both outputs NULL).
 */
int domain_of_pool(struct store_conn *db, const char *pool_id, char **prefix, char **custom);

/*
 * The user pool that domain (a prefix or a custom domain, compared exactly: both are stored in
 * lower case as Cognito accepts them) belongs to. On STORE_OK *pool_id is a new string the
 * caller free()s; STORE_NOT_FOUND when no pool has that domain, STORE_ERROR; *pool_id is NULL
 * then.
 */
int domain_pool_id(struct store_conn *db, const char *domain, char **pool_id);

/* Whether the stored DomainDescription desc is a custom domain (it has a certificate). */
bool domain_is_custom(const cJSON *desc);

#endif
