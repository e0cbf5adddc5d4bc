from . import sprout_profile_link
