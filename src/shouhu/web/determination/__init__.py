"""资格认定: the rules of `shouhu.core.policy` applied to the people and facts in the database."""
