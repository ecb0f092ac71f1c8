"""Who may do what in the review of OCP entries (the object is the entry).

Managers decide (accept, reject, request changes) and assign reviewers;
reviewers of the tenant may take an entry under review and comment; viewers
only read.
"""

import rules

from wsis_portal.tenants.rules import is_platform_operator, is_tenant_manager, is_tenant_reviewer


@rules.predicate
def manages_entry_tenant(user, entry) -> bool:
    return entry is not None and is_tenant_manager(user, entry.tenant)


@rules.predicate
def reviews_in_entry_tenant(user, entry) -> bool:
    return entry is not None and is_tenant_reviewer(user, entry.tenant)


may_decide = is_platform_operator | manages_entry_tenant
may_review = may_decide | reviews_in_entry_tenant

rules.add_perm("ocp.decide_entry", may_decide)
rules.add_perm("ocp.review_entry", may_review)
rules.add_perm("ocp.comment_entry", may_review)
