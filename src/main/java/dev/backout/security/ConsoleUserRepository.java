package dev.backout.security;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

interface ConsoleUserRepository extends ListCrudRepository<ConsoleUser, Long> {

	Optional<ConsoleUser> findByUsername(String username);

	boolean existsByUsername(String username);

	@Query("select * from console_user order by username")
	List<ConsoleUser> findAllByOrderByUsername();

}
