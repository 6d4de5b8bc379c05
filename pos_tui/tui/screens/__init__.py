"""Full screens: login, sale, payment, return, menu and the lists behind it."""
